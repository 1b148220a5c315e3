using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Text;
using MusicGen.Assistant.Training.Data;

namespace MusicGen.Assistant.Training.MusicGenLm;

/// <summary>
/// MusicGen fine-tuning items from a dataset's MUCaps captions: each clip decoded at the codec's rate (mono), cut or
/// padded with silence to one length, encoded to codes by the frozen EnCodec with the decoder's codebook count; its
/// caption through the frozen T5 and enc_to_dec_proj; pooled text vectors kept for the regularization.
/// </summary>
public sealed class MusicGenExampleBuilder(EncodecCodec codec, TextConditioning text, T5TextEncoding tokenizer, int codebooks, int maxTextTokens = 256)
{
    public List<MusicGenExample> FromCaptions(DatasetEntries data, Split split, double seconds, CancellationToken cancellation = default)
    {
        var samples = (int)Math.Round(seconds * codec.Config.SamplingRate);
        if (samples < codec.Config.HopLength) throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "clips shorter than one codec frame");
        var list = new List<MusicGenExample>();
        foreach (var c in CaptionFile.Read(data.Layout.Captions).Where(c => data.SplitOf(DatasetEntries.ClipId(c.File)) == split))
        {
            cancellation.ThrowIfCancellationRequested();
            var audio = AudioDecoder.Decode(data.Layout.Audio(c.File), new AudioDecodeOptions { SampleRate = codec.Config.SamplingRate }, cancellation);
            var mono = new float[samples];
            for (var i = 0; i < Math.Min(samples, audio.FrameCount); i++)
                foreach (var ch in audio.Channels) mono[i] += ch[i] / audio.ChannelCount;
            list.Add(Example(DatasetEntries.ClipId(c.File), mono, c.Caption));
        }
        return list;
    }

    public MusicGenExample Example(string id, float[] mono, string caption)
    {
        var encoded = codec.Encode(new ArraySampleSource(mono));
        if (encoded.Codes.Length < codebooks)
            throw new InvalidDataException($"the codec gives {encoded.Codes.Length} codebooks at its default bandwidth; the decoder takes {codebooks}");
        var frames = encoded.Codes[0].Length;
        var codes = new int[codebooks, frames];
        for (var k = 0; k < codebooks; k++)
            for (var t = 0; t < frames; t++) codes[k, t] = encoded.Codes[k][t];
        var batch = tokenizer.EncodeBatch([caption], maxTextTokens);
        var ids = new int[1, batch.Length];
        var mask = new int[1, batch.Length];
        for (var t = 0; t < batch.Length; t++) (ids[0, t], mask[0, t]) = (batch.InputIds[t], batch.AttentionMask[t]);
        var states = text.Encode(ids, mask);
        var width = text.HiddenSize;
        return new MusicGenExample(id, codes, states, batch.Length,
            RepresentationRegularization.Pool(states, batch.Length, width, Pooling.Max),
            RepresentationRegularization.Pool(states, batch.Length, width, Pooling.Mean));
    }
}
