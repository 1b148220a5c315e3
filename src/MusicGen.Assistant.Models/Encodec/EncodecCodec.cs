using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// Runs EnCodec on long signals in chunks with bounded memory: audio to codes (<see cref="Encode"/>) and codes to
/// audio (<see cref="Decode"/>). Each chunk is one ggml graph; the LSTM state is carried between chunks so the result
/// equals a single pass over the whole signal.
/// </summary>
public sealed partial class EncodecCodec : IDisposable
{
    private readonly EncodecWeights _weights;
    private readonly GraphExecutor _executor;
    private readonly IReadOnlyList<EncodecLayer> _encoderBefore, _encoderAfter, _decoderBefore, _decoderAfter;
    private readonly LstmSpec? _encoderLstm, _decoderLstm;

    public EncodecCodec(EncodecWeights weights, ComputeBackend backend, int chunkFrames = 250)
    {
        if (chunkFrames <= EncodecChunking.Lookaround)
            throw new ArgumentOutOfRangeException(nameof(chunkFrames), $"chunks must be longer than {EncodecChunking.Lookaround} frames");
        _weights = weights;
        Config = weights.Config;
        ChunkFrames = chunkFrames;
        (_encoderBefore, _encoderLstm, _encoderAfter) = SplitAtLstm(EncodecLayers.Encoder(Config));
        (_decoderBefore, _decoderLstm, _decoderAfter) = SplitAtLstm(EncodecLayers.Decoder(Config));
        _executor = new GraphExecutor(backend, GraphCapacity);
    }

    /// <summary>Loads the EnCodec of a GGUF file (converted from a MusicGen or EnCodec checkpoint) onto a backend.</summary>
    public static EncodecCodec Load(string ggufPath, ComputeBackend backend, int chunkFrames = 250)
    {
        using var file = GgufFile.Open(ggufPath);
        var config = EncodecMetadata.Read(file.Metadata);
        // the direct form needs our CPU kernels; other backends get the tap-stacked form, which plain ggml ops compute
        var weights = new EncodecWeights(file, config, backend, backend.IsCpu ? ConvLayout.Direct : ConvLayout.TapStacked);
        try { return new EncodecCodec(weights, backend, chunkFrames) { OwnsWeights = true }; }
        catch { weights.Dispose(); throw; }
    }

    public EncodecConfig Config { get; }
    public int ChunkFrames { get; }

    /// <summary>Wall time per stage (build, allocate, upload, compute, download) of the Encode/Decode calls so far.</summary>
    public StageTimings Timings { get; } = new();

    /// <summary>When set, every graph node is timed into it (slow: for profiling only).</summary>
    public OpProfiler? Profiler
    {
        get => _executor.Profiler;
        set => _executor.Profiler = value;
    }
    private bool OwnsWeights { get; init; }

    /// <summary>Bytes of model weights on the backend plus the compute memory of the largest chunk so far.</summary>
    public long MemoryBytes => WeightBytes + ComputeBytes;

    /// <summary>Bytes of model weights on the backend.</summary>
    public long WeightBytes => _weights.ResidentBytes;

    /// <summary>Bytes of compute memory (sized by the largest chunk graph so far).</summary>
    public long ComputeBytes => _executor.ComputeBufferBytes;

    /// <summary>Code frames for a signal of <paramref name="samples"/> samples: ceil(samples / hop).</summary>
    public long FramesFor(long samples) => (samples + Config.HopLength - 1) / Config.HopLength;

    // Per LSTM step about 16 tensors (views and ops) per layer, plus the convolutions around it.
    private int GraphCapacity
    {
        get
        {
            var steps = ChunkFrames + 2 * (EncodecChunking.Lookaround + EncodecChunking.ConvContext);
            return steps * Math.Max(1, Config.NumLstmLayers) * 18 + 64 * (Config.UpsamplingRatios.Length + 2) * (Config.NumResidualLayers + 2) + 1024;
        }
    }

    private GgmlContext NewGraphContext() => new(GraphCapacity);

    /// <summary>Whether graphs use our fused C# kernels (the CPU backend) or plain ggml ops (other backends).</summary>
    public bool CpuKernels => _executor.Backend.IsCpu && UseCpuKernels;

    /// <summary>Lets a caller (tests, benchmarks) turn the fused CPU kernels off to compare with plain ggml ops.</summary>
    public bool UseCpuKernels { get; set; } = true;

    private static (IReadOnlyList<EncodecLayer>, LstmSpec?, IReadOnlyList<EncodecLayer>) SplitAtLstm(IReadOnlyList<EncodecLayer> layers)
    {
        var at = layers.ToList().FindIndex(l => l is LstmSpec);
        return at < 0 ? (layers, null, []) : (layers.Take(at).ToList(), (LstmSpec)layers[at], layers.Skip(at + 1).ToList());
    }

    /// <summary>Runs the layers around the LSTM for one chunk, feeding and collecting the carried state.</summary>
    private Signal RunAroundLstm(EncodecGraph graph, GgmlContext ctx, IReadOnlyList<EncodecLayer> before, LstmSpec? lstm,
        IReadOnlyList<EncodecLayer> after, Signal x, ChunkWindow w, CarriedState carried)
    {
        x = graph.Run(before, x, (_, s) => s);
        if (lstm is null) return graph.Run(after, x, (_, s) => s);
        // the layers before the LSTM covered [InputStart, InputEnd); the LSTM takes [LstmStart, LstmEnd) of that
        var cf = x.AsChannelsFirst(ctx);
        var inner = ctx.SliceRows(cf, w.LstmStart - w.InputStart, w.LstmEnd - w.LstmStart);
        var initial = carried.Inputs(ctx, lstm);
        var stateStep = w.IsLast ? -1 : (int)(w.StateFrame - w.LstmStart);
        var (output, state) = graph.Lstm(lstm, Signal.FromChannelsFirst(inner), initial, stateStep);
        carried.Expect(ctx, state, w.IsLast);
        return graph.Run(after, output, (_, s) => s);
    }

    public void Dispose()
    {
        _executor.Dispose();
        if (OwnsWeights) _weights.Dispose();
    }
}
