using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// MusicGen's <c>enc_to_dec_proj</c> (Linear with bias, text encoder width → decoder hidden size) as stored in a
/// converted MusicGen GGUF (<see cref="T5Keys.ProjectionWeight"/> / <see cref="T5Keys.ProjectionBias"/>). transformers
/// creates it only when the two widths differ; without it the encoder states are used as they are. Shared by every
/// conditioning source that feeds encoder states to cross-attention (T5 text, precomputed states).
/// </summary>
public sealed class EncoderProjection : IDisposable
{
    private readonly TensorStore? _store;
    private readonly Tensor? _weight, _bias;

    /// <param name="file">The GGUF that may hold the projection.</param>
    /// <param name="inWidth">Width of the encoder states (T5's d_model).</param>
    /// <param name="decoderHiddenSize">The decoder's width, when known: checked against the projection (or inWidth).</param>
    public EncoderProjection(GgufFile file, int inWidth, ComputeBackend backend, int? decoderHiddenSize = null)
    {
        InWidth = inWidth;
        if (file.TryGetTensor(T5Keys.ProjectionWeight, out var info))
        {
            if (info.Ne.Length != 2 || info.Ne[0] != inWidth)
                throw new ModelWeightsException($"{file.Path}: tensor '{T5Keys.ProjectionWeight}' has shape [{string.Join(", ", info.Ne)}], expected [{inWidth}, decoder hidden size]");
            HiddenSize = checked((int)info.Ne[1]);
            if (decoderHiddenSize is { } expected && expected != HiddenSize)
                throw new ModelWeightsException($"{file.Path}: '{T5Keys.ProjectionWeight}' projects to {HiddenSize}, but the decoder's hidden size is {expected}");
            _store = new TensorStore(backend, 4);
            try
            {
                var binder = new WeightBinder(file, _store);
                _weight = binder.Require(T5Keys.ProjectionWeight, [inWidth, HiddenSize], GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0);
                _bias = binder.Require(T5Keys.ProjectionBias, [HiddenSize], GgmlType.F32);
                binder.Upload();
            }
            catch
            {
                _store.Dispose();
                throw;
            }
        }
        else
        {
            HiddenSize = inWidth;
            if (decoderHiddenSize is { } expected && expected != inWidth)
                throw new ModelWeightsException($"{file.Path}: missing tensor '{T5Keys.ProjectionWeight}' (T5 d_model {inWidth} differs from the decoder's hidden size {expected})");
        }
    }

    /// <summary>Width of the encoder states it takes (T5's d_model).</summary>
    public int InWidth { get; }

    /// <summary>Width of the conditioning vectors: the decoder's hidden size.</summary>
    public int HiddenSize { get; }

    public bool HasWeights => _weight is not null;

    /// <summary>enc_to_dec_proj on encoder states {in_width, L, B} → {hidden, L, B}; the identity without a projection.</summary>
    public Tensor Apply(GgmlContext ctx, Tensor states)
    {
        if (states.Ne0 != InWidth)
            throw new ArgumentException($"encoder states {states.ShapeText} are not {InWidth} wide (the text encoder's d_model)", nameof(states));
        return _weight is { } w ? ctx.Add(ctx.MulMat(w, states), _bias!.Value) : states;
    }

    public void Dispose() => _store?.Dispose();
}
