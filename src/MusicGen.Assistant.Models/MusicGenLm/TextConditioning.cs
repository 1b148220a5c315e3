using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// MusicGen's text conditioning (transformers' MusicgenForConditionalGeneration before the decoder):
/// <c>enc_to_dec_proj(T5(ids, mask).last_hidden_state) * mask[..., None]</c>, the decoder's cross-attention input.
/// The projection (Linear with bias, d_model → decoder hidden size) exists only when the two widths differ; without it
/// the T5 output is used as it is. Padded positions come out as exact zeros, bias included.
/// </summary>
public sealed class TextConditioning : IDisposable
{
    private readonly T5Encoder _encoder;
    private readonly EncoderProjection _projection;
    private readonly bool _ownsEncoder;

    /// <param name="file">The GGUF holding <see cref="T5Keys.ProjectionWeight"/> / <see cref="T5Keys.ProjectionBias"/>, if any.</param>
    /// <param name="decoderHiddenSize">The decoder's width, when known: checked against the projection (or d_model).</param>
    public TextConditioning(T5Encoder encoder, GgufFile file, int? decoderHiddenSize = null) : this(encoder, file, decoderHiddenSize, ownsEncoder: false) { }

    private TextConditioning(T5Encoder encoder, GgufFile file, int? decoderHiddenSize, bool ownsEncoder)
    {
        _encoder = encoder;
        _projection = new EncoderProjection(file, encoder.Config.DModel, encoder.Backend, decoderHiddenSize);
        _ownsEncoder = ownsEncoder;
    }

    /// <summary>Loads the T5 encoder and the projection of a converted MusicGen GGUF onto a backend.</summary>
    public static TextConditioning Load(string ggufPath, ComputeBackend backend, int? decoderHiddenSize = null)
    {
        using var file = GgufFile.Open(ggufPath);
        var encoder = T5Encoder.Load(file, backend);
        try { return new TextConditioning(encoder, file, decoderHiddenSize, ownsEncoder: true); }
        catch { encoder.Dispose(); throw; }
    }

    public T5Encoder Encoder => _encoder;

    /// <summary>Width of the conditioning vectors: the decoder's hidden size.</summary>
    public int HiddenSize => _projection.HiddenSize;

    public bool HasProjection => _projection.HasWeights;

    /// <summary>enc_to_dec_proj on T5 hidden states {d_model, L, B} → {hidden, L, B}; the identity without a projection.</summary>
    public Tensor Project(GgmlContext ctx, Tensor hidden) => _projection.Apply(ctx, hidden);

    /// <summary>
    /// Conditioning vectors [B, L, hidden] for a padded batch ([B, L] ids and 0/1 mask), zero where the mask is 0.
    /// </summary>
    public float[] Encode(int[,] ids, int[,] mask)
    {
        var values = _encoder.Encode(ids, mask, HasProjection ? Project : null);
        int batch = mask.GetLength(0), length = mask.GetLength(1);
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < length; t++)
                if (mask[b, t] == 0) Array.Clear(values, (b * length + t) * HiddenSize, HiddenSize);
        return values;
    }

    public void Dispose()
    {
        _projection.Dispose();
        if (_ownsEncoder) _encoder.Dispose();
    }
}
