namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Sizes of one M2UGen understanding adapter (m2ugen.py forward_audio / forward_image / forward_video). Read from the
/// checkpoint's tensor shapes or from GGUF metadata, never assumed; graph code reads sizes and epsilons only from here.
/// The real model: music C = 25 hidden states × W = 1024, image 197 × 768, video 3137 × 768; D = H = 4096; 3 blocks.
/// </summary>
public sealed record ModalityAdapterConfig
{
    public required M2UGenModality Modality { get; init; }

    /// <summary>C: in_channels of the k=1 aggregation Conv1d (MERT hidden states, or ViT / ViViT tokens).</summary>
    public required int Channels { get; init; }

    /// <summary>W: the encoder's hidden width (in_features of the projection).</summary>
    public required int InWidth { get; init; }

    /// <summary>D: the LLaMA width the token is projected to (4096 for LLaMA-2 7B).</summary>
    public required int Dim { get; init; }

    /// <summary>H: width inside each SwiGLU block (D × feature_scaler; M2UGen uses feature_scaler 1).</summary>
    public required int HiddenDim { get; init; }

    /// <summary>Number of residual RMSNorm-SwiGLU blocks (3 in M2UGen).</summary>
    public int Blocks { get; init; } = 3;

    /// <summary>RMSNorm eps of the blocks (llama.py RMSNorm built with eps=1e-6 in m2ugen.py).</summary>
    public double NormEpsilon { get; init; } = 1e-6;

    /// <summary>F.normalize's eps: the norm is clamped to at least this.</summary>
    public double L2Epsilon { get; init; } = 1e-12;

    /// <summary>
    /// Factor after the L2 normalisation: m2ugen.py mixes the one normalised feature with weight 1 / (1 + 1e-6)
    /// (its "outputs_weights" step with a single input).
    /// </summary>
    public double InputScale { get; init; } = 1 / (1 + 1e-6);

    /// <summary>Whether the input is averaged over time first (music: MERT hidden states are [C, frames, W]).</summary>
    public bool PoolsTime => Modality == M2UGenModality.Music;

    /// <summary>The largest sizes accepted (the real model: C 3137, W 1024, D = H = 4096, 3 blocks).</summary>
    public static class Limits
    {
        public const int Channels = 1 << 16, InWidth = 16384, Dim = 16384, HiddenDim = 1 << 17, Blocks = 64;
    }

    /// <summary>Throws naming the first setting that is not positive or out of <see cref="Limits"/>.</summary>
    public ModalityAdapterConfig Validate()
    {
        var subject = $"M2UGen {Modality.Name()} adapter config";
        void Fail(string what) => throw new ModelConfigException($"{subject}: {what}");
        void Range(string key, long value, long max) => ConfigLimits.Range(subject, key, value, 1, max);
        Range("channels", Channels, Limits.Channels);
        Range("in_width", InWidth, Limits.InWidth);
        Range("dim", Dim, Limits.Dim);
        Range("hidden_dim", HiddenDim, Limits.HiddenDim);
        Range("blocks", Blocks, Limits.Blocks);
        if (!(NormEpsilon > 0) || double.IsInfinity(NormEpsilon)) Fail($"norm_epsilon {NormEpsilon} must be positive");
        if (!(L2Epsilon > 0) || double.IsInfinity(L2Epsilon)) Fail($"l2_epsilon {L2Epsilon} must be positive");
        if (!(InputScale > 0) || double.IsInfinity(InputScale)) Fail($"input_scale {InputScale} must be positive");
        return this;
    }

    /// <summary>
    /// Reads the sizes of one adapter from tensor shapes (PyTorch order) looked up by name; null when the checkpoint
    /// holds none of this modality's tensors. A partial or misshapen adapter is refused, naming the tensor.
    /// </summary>
    public static ModalityAdapterConfig? FromTensorShapes(M2UGenModality m, Func<string, long[]?> shapeOf, string source)
    {
        var agg = shapeOf(AdapterCheckpointKeys.AggWeight(m));
        var proj = shapeOf(AdapterCheckpointKeys.ProjWeight(m));
        if (agg is null && proj is null && shapeOf(AdapterCheckpointKeys.Norm(m, 1)) is null) return null;
        string Shape(long[] s) => $"[{string.Join(", ", s)}]";
        ModelWeightsException Missing(string name, string expected) =>
            new($"{source}: missing tensor '{name}' (expected shape {expected}); the {m.Name()} adapter is incomplete");

        if (agg is null) throw Missing(AdapterCheckpointKeys.AggWeight(m), "[1, C, 1]");
        if (agg.Length != 3 || agg[0] != 1 || agg[2] != 1 || agg[1] < 1)
            throw new ModelWeightsException($"{source}: tensor '{AdapterCheckpointKeys.AggWeight(m)}' has shape {Shape(agg)}, expected [1, C, 1] (Conv1d(C, 1, kernel_size=1))");
        if (proj is null) throw Missing(AdapterCheckpointKeys.ProjWeight(m), "[D, W]");
        if (proj.Length != 2)
            throw new ModelWeightsException($"{source}: tensor '{AdapterCheckpointKeys.ProjWeight(m)}' has shape {Shape(proj)}, expected [D, W] (Linear(W, D))");
        var gate = shapeOf(AdapterCheckpointKeys.Gate(m, 1)) ?? throw Missing(AdapterCheckpointKeys.Gate(m, 1), $"[H, {proj[0]}]");
        if (gate.Length != 2 || gate[1] != proj[0])
            throw new ModelWeightsException($"{source}: tensor '{AdapterCheckpointKeys.Gate(m, 1)}' has shape {Shape(gate)}, expected [H, {proj[0]}] (Linear({proj[0]}, H))");

        var blocks = 0;
        while (blocks <= Limits.Blocks && shapeOf(AdapterCheckpointKeys.Norm(m, blocks + 1)) is not null) blocks++;
        if (blocks == 0) throw Missing(AdapterCheckpointKeys.Norm(m, 1), $"[{proj[0]}]");
        for (var i = 1; i <= blocks; i++)
            if (shapeOf(AdapterCheckpointKeys.LegacyNormBias(m, i)) is not null)
                throw new ModelConfigException($"{source}: '{AdapterCheckpointKeys.LegacyNormBias(m, i)}' exists: this adapter uses M2UGen's LayerNorm bridge (legacy_bridge=True), which is not supported (only the RMSNorm bridge)");

        return new ModalityAdapterConfig
        {
            Modality = m,
            Channels = Size(agg[1]),
            InWidth = Size(proj[1]),
            Dim = Size(proj[0]),
            HiddenDim = Size(gate[0]),
            Blocks = blocks,
        }.Validate();
    }

    // a tensor dimension past int range is out of every limit; Validate names it
    private static int Size(long dimension) => (int)Math.Min(dimension, int.MaxValue);
}
