using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Encodec;

/// <summary>
/// Answers the EnCodec calls of vectors.json (<c>model.audio_encoder.*</c>) with our codec, in the reference's
/// PyTorch shapes: waveforms [B, C, L], encoder output [B, D, T], codes [1, B, K, T].
/// </summary>
internal sealed class EncodecReference(EncodecCodec codec)
{
    /// <summary>Whether a vector belongs to the EnCodec family: its expression applies model.audio_encoder.</summary>
    public static bool Handles(ReferenceVector v)
    {
        var call = v.Call.StartsWith("torch.cat([", StringComparison.Ordinal) ? v.Call["torch.cat([".Length..] : v.Call;
        return !v.IsInput && call.StartsWith("model.audio_encoder.", StringComparison.Ordinal);
    }

    public NDArray Evaluate(ReferenceVector v) =>
        CallExpression.Evaluate(v.Call, name => Array(v.Set.Vector(name)), Call);

    private static NDArray Array(ReferenceVector v) => new(v.Shape, v.Values());

    private NDArray Call(string function, IReadOnlyList<NDArray> args) => function switch
    {
        "model.audio_encoder.encoder" => PerItem(args[0], x => Embeddings(x)),
        "model.audio_encoder.encode=>audio_codes" => Codes(args[0]),
        "model.audio_encoder.quantizer.decode" => Dequantize(args[0]),
        "model.audio_encoder.decode=>audio_values" => Decode(args[0]),
        _ => throw new NotSupportedException($"no EnCodec implementation of '{function}'"),
    };

    private static ArraySampleSource Source(NDArray item) // [C, L]
    {
        var channels = (int)item.Shape[0];
        var length = (int)item.Shape[1];
        return new ArraySampleSource(Enumerable.Range(0, channels)
            .Select(c => item.Data.Skip(c * length).Take(length).Select(x => (float)x).ToArray()).ToArray());
    }

    private NDArray PerItem(NDArray batch, Func<NDArray, NDArray> f)
    {
        var items = Enumerable.Range(0, (int)batch.Shape[0]).Select(b => f(batch.Index([(long)b]))).ToList();
        return NDArray.Concat(items.Select(i => new NDArray([1, .. i.Shape], i.Data)).ToList(), 0);
    }

    // encoder output, frame-major from the codec, returned as [D, T]
    private NDArray Embeddings(NDArray item)
    {
        var result = codec.Encode(Source(item), keepEmbeddings: true);
        var frames = result.Codes[0].Length;
        var d = codec.Config.HiddenSize;
        return new NDArray([frames, d], result.Embeddings!.Select(x => (double)x).ToArray()).Transpose(0, 1);
    }

    private NDArray Codes(NDArray batch)
    {
        var perItem = PerItem(batch, item =>
        {
            var codes = codec.Encode(Source(item)).Codes;
            return new NDArray([codes.Length, codes[0].Length], codes.SelectMany(c => c.Select(x => (double)x)).ToArray());
        });
        return new NDArray([1, .. perItem.Shape], perItem.Data);
    }

    private static int[][] CodesOf(NDArray kt) // [K, T]
    {
        var k = (int)kt.Shape[0];
        var t = (int)kt.Shape[1];
        return Enumerable.Range(0, k).Select(q => kt.Data.Skip(q * t).Take(t).Select(x => checked((int)x)).ToArray()).ToArray();
    }

    private NDArray Dequantize(NDArray kbt) // [K, B, T]
    {
        var bkt = kbt.Transpose(0, 1);
        return PerItem(bkt, kt =>
        {
            var frames = (int)kt.Shape[1];
            var sum = codec.Dequantize(CodesOf(kt));
            return new NDArray([frames, codec.Config.HiddenSize], sum.Select(x => (double)x).ToArray()).Transpose(0, 1);
        });
    }

    private NDArray Decode(NDArray codes) // [1, B, K, T]
    {
        if (codes.Shape[0] != 1) throw new NotSupportedException("chunked EnCodec codes (nb_chunks > 1)");
        return PerItem(codes.Index([0L]), kt =>
        {
            var audio = codec.Decode(CodesOf(kt));
            return new NDArray([audio.Length, audio[0].Length], audio.SelectMany(c => c.Select(x => (double)x)).ToArray());
        });
    }
}
