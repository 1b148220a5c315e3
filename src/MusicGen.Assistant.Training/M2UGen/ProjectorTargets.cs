using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>
/// The stage-2 target of a music caption (M2UGen.forward, MusicGen branch): 10 × the T5 encoder's last_hidden_state of
/// the caption tokenized with padding='max_length' to the projector's query count (128 for the release), pad
/// positions included as computed (not masked), before enc_to_dec_proj. Row-major [queries, width].
/// </summary>
public sealed class ProjectorTargets(T5Encoder encoder, T5TextEncoding text, int queries, int width) : IDisposable
{
    public const float TargetScale = 10f;

    private readonly Dictionary<string, float[]> _cache = new(StringComparer.Ordinal);

    public static ProjectorTargets Load(string textEncoderPath, string tokenizerPath, int queries, int width, ComputeBackend backend)
    {
        var text = new T5TextEncoding(Models.Tokenizers.TokenizerFiles.LoadSentencePiece(tokenizerPath));
        var encoder = T5Encoder.Load(textEncoderPath, backend);
        if (encoder.Config.DModel != width)
        {
            encoder.Dispose();
            throw new InvalidDataException($"{textEncoderPath}: T5 width {encoder.Config.DModel} differs from the projector's output width {width}");
        }
        return new ProjectorTargets(encoder, text, queries, width);
    }

    public float[] For(string caption)
    {
        if (_cache.TryGetValue(caption, out var cached)) return cached;
        var batch = text.EncodeBatch([caption], maxLength: queries);
        var ids = new int[1, queries];
        var mask = new int[1, queries];
        for (var t = 0; t < queries; t++)
            (ids[0, t], mask[0, t]) = t < batch.Length ? (batch.InputIds[t], batch.AttentionMask[t]) : (text.Tokenizer.PadId, 0);
        var states = encoder.Encode(ids, mask);
        if (states.Length != queries * width) throw new InvalidDataException($"T5 returned {states.Length} values for [{queries}, {width}]");
        for (var i = 0; i < states.Length; i++) states[i] *= TargetScale;
        return _cache[caption] = states;
    }

    public void Dispose() => encoder.Dispose();
}
