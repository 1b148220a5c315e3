using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// M2UGen understanding adapters of any sizes with deterministic random weights under our GGUF names
/// (<see cref="AdapterKeys"/>), for the embedded untrained assistant set and tests. Scales follow the reference
/// fixtures' init: matrices N(0,1)/√fan_in, norm weights 1 + 0.1·N, biases 0.1·N. Untrained: its tokens carry no meaning.
/// </summary>
public sealed class AdapterRandomPlan : IConversionPlan
{
    private readonly AdapterConfig _config;

    public AdapterRandomPlan(AdapterConfig config, int seed)
    {
        _config = config;
        var random = new RandomTensors(seed);
        void Matrix(string name, long inputs, long outputs) =>
            random.Add(name, [inputs, outputs], TensorRole.Matrix, r => RandomTensors.Normal(r) / Math.Sqrt(inputs));
        void Vector(string name, long n, double center) =>
            random.Add(name, [n], TensorRole.Exact, r => center + 0.1 * RandomTensors.Normal(r));
        foreach (var c in config.Modalities)
        {
            var m = c.Modality;
            // the k=1 Conv1d over channels: a weighted sum, so scaled like a matrix over C inputs
            random.Add(AdapterKeys.AggWeight(m), [c.Channels], TensorRole.Exact, r => RandomTensors.Normal(r) / Math.Sqrt(c.Channels));
            Vector(AdapterKeys.AggBias(m), 1, 0);
            Matrix(AdapterKeys.ProjWeight(m), c.InWidth, c.Dim);
            Vector(AdapterKeys.ProjBias(m), c.Dim, 0);
            for (var i = 0; i < c.Blocks; i++)
            {
                Vector(AdapterKeys.Norm(m, i), c.Dim, 1);
                Matrix(AdapterKeys.Gate(m, i), c.Dim, c.HiddenDim);
                Matrix(AdapterKeys.Up(m, i), c.Dim, c.HiddenDim);
                Matrix(AdapterKeys.Down(m, i), c.HiddenDim, c.Dim);
            }
        }
        Tensors = random.Tensors;
    }

    public string Architecture => AdapterKeys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }

    public void WriteMetadata(GgufWriter writer)
    {
        AdapterMetadata.Write(writer, _config);
        writer.SetMetadata("general.name", "untrained random-weight M2UGen adapters (demo/test)");
    }
}
