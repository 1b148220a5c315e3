using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>One residual block: RMSNorm weight and the SwiGLU projections f1 (gate), f3 (up), f2 (down).</summary>
public sealed record AdapterBlockWeights(Tensor Norm, Tensor Gate, Tensor Up, Tensor Down);

/// <summary>
/// The tensors of one modality's adapter in an adapters GGUF (names and layouts in <see cref="AdapterKeys"/>),
/// checked against its config and uploaded to a backend. Owns the backend memory holding them.
/// </summary>
public sealed class ModalityAdapterWeights : IDisposable
{
    private static readonly GgmlType[] Matrices = [GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0];

    private readonly TensorStore _store;

    public ModalityAdapterWeights(GgufFile file, ModalityAdapterConfig config, ComputeBackend backend)
    {
        Config = config.Validate();
        var m = config.Modality;
        _store = WeightBinder.NewStore(file, backend, 4 + 4L * config.Blocks + 4);
        try
        {
            var b = new WeightBinder(file, _store);
            long ch = config.Channels, w = config.InWidth, d = config.Dim, h = config.HiddenDim;
            AggWeight = b.Require(AdapterKeys.AggWeight(m), [ch], GgmlType.F32);
            AggBias = b.Require(AdapterKeys.AggBias(m), [1], GgmlType.F32);
            Projection = new LinearWeights(
                b.Require(AdapterKeys.ProjWeight(m), [w, d], Matrices),
                b.Require(AdapterKeys.ProjBias(m), [d], GgmlType.F32));
            Blocks = Enumerable.Range(0, config.Blocks).Select(i => new AdapterBlockWeights(
                b.Require(AdapterKeys.Norm(m, i), [d], GgmlType.F32),
                b.Require(AdapterKeys.Gate(m, i), [d, h], Matrices),
                b.Require(AdapterKeys.Up(m, i), [d, h], Matrices),
                b.Require(AdapterKeys.Down(m, i), [h, d], Matrices))).ToArray();
            b.Upload();
        }
        catch
        {
            _store.Dispose();
            throw;
        }
    }

    public ModalityAdapterConfig Config { get; }

    /// <summary>The aggregation Conv1d's weights {C}, one per hidden state or token.</summary>
    public Tensor AggWeight { get; }

    /// <summary>The aggregation Conv1d's bias {1}.</summary>
    public Tensor AggBias { get; }

    public LinearWeights Projection { get; }
    public IReadOnlyList<AdapterBlockWeights> Blocks { get; }
    public long ResidentBytes => _store.AllocatedBytes;

    public void Dispose() => _store.Dispose();
}
