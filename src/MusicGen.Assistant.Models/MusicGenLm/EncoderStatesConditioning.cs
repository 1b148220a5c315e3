using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// MusicGen conditioned on precomputed encoder hidden states instead of T5's (transformers' generate with
/// <c>encoder_outputs=(states,)</c>, as M2UGen fed its output projector's result): the states go through
/// <c>enc_to_dec_proj</c> and × mask, then to cross-attention, exactly as T5's do on the text path. The states are
/// taken as given (the projector applies its own output scale). Guidance runs against the default null condition of
/// <see cref="MusicGenConditioning"/>: zero states with every position blocked, which is what M2UGen's copy of
/// MusicGen concatenates (zeros_like states, zeros_like mask) and gives a zero cross-attention output.
/// </summary>
public sealed class EncoderStatesConditioning : IDisposable
{
    private readonly EncoderProjection _projection;
    private readonly GraphExecutor _executor;
    private readonly bool _ownsProjection;

    public EncoderStatesConditioning(EncoderProjection projection, ComputeBackend backend) : this(projection, backend, ownsProjection: false) { }

    private EncoderStatesConditioning(EncoderProjection projection, ComputeBackend backend, bool ownsProjection)
    {
        _projection = projection;
        _executor = new GraphExecutor(backend, 64);
        _ownsProjection = ownsProjection;
    }

    /// <summary>
    /// The projection of a converted MusicGen GGUF (its T5 section says the encoder width; T5's weights are not loaded).
    /// </summary>
    public static EncoderStatesConditioning Load(GgufFile file, ComputeBackend backend, int? decoderHiddenSize = null)
    {
        var width = T5Metadata.Read(file.Metadata).DModel;
        var projection = new EncoderProjection(file, width, backend, decoderHiddenSize);
        try { return new EncoderStatesConditioning(projection, backend, ownsProjection: true); }
        catch { projection.Dispose(); throw; }
    }

    public static EncoderStatesConditioning Load(string ggufPath, ComputeBackend backend, int? decoderHiddenSize = null)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, backend, decoderHiddenSize);
    }

    /// <summary>Width of the states it takes: the text encoder's d_model (768 for MusicGen's T5-base).</summary>
    public int StatesWidth => _projection.InWidth;

    /// <summary>Width of the conditioning vectors: the decoder's hidden size.</summary>
    public int HiddenSize => _projection.HiddenSize;

    /// <summary>
    /// Refuses states of another width than the text encoder's, naming both: a projector whose out_dim differs from
    /// the T5 d_model this MusicGen was trained with cannot stand in for it.
    /// </summary>
    public void CheckWidth(int width, string what)
    {
        if (width != StatesWidth)
            throw new ModelConfigException($"{what} are {width} wide, but this MusicGen's cross-attention conditioning takes {StatesWidth}-wide text encoder states (T5 d_model, the input of enc_to_dec_proj); they cannot stand in for T5's output");
    }

    /// <summary>
    /// The conditioning of <paramref name="batch"/> items from encoder states [B, L, width] (row-major) and an optional
    /// [B, L] 0/1 attention mask (null: every position is real, as for the projector's output).
    /// </summary>
    public MusicGenConditioning Condition(ReadOnlySpan<float> states, int batch, int length, int width, IReadOnlyList<long>? attentionMask = null)
    {
        CheckWidth(width, "the encoder states");
        if (batch < 1 || length < 1) throw new ArgumentOutOfRangeException(nameof(batch), $"encoder states of {batch} items x {length} positions must be non-empty");
        if (states.Length != (long)batch * length * width)
            throw new ArgumentException($"encoder states hold {states.Length} values, expected [{batch}, {length}, {width}] = {(long)batch * length * width}", nameof(states));
        if (attentionMask is not null && attentionMask.Count != batch * length)
            throw new ArgumentException($"the attention mask holds {attentionMask.Count} values, expected [{batch}, {length}]", nameof(attentionMask));
        for (var i = 0; i < states.Length; i++)
            if (!float.IsFinite(states[i]))
                throw new ArgumentException($"encoder state {i} (item {i / (length * width)}, position {i / width % length}) is {states[i]}", nameof(states));

        float[] projected;
        using (var ctx = new GgmlContext(16))
        {
            var input = ctx.NewInput("encoder_states", GgmlType.F32, width, length, batch);
            // without a projection the graph still needs a node to compute: a copy
            var output = _projection.HasWeights ? _projection.Apply(ctx, input) : ctx.Cont(input);
            ctx.MarkOutput(output);
            var graph = ctx.NewGraph().Expand(output);
            _executor.Allocate(graph);
            input.SetData(states);
            _executor.Compute(graph);
            projected = output.ToFloatArray();
        }
        if (attentionMask is null) return new MusicGenConditioning(projected, null, batch, length, HiddenSize);
        // × mask[..., None]: padded positions are exact zeros, bias included (as on the text path)
        for (var i = 0; i < attentionMask.Count; i++)
            if (attentionMask[i] == 0) Array.Clear(projected, i * HiddenSize, HiddenSize);
        return MusicGenConditioning.FromAttentionMask(projected, attentionMask, batch, length, HiddenSize);
    }

    public void Dispose()
    {
        _executor.Dispose();
        if (_ownsProjection) _projection.Dispose();
    }
}
