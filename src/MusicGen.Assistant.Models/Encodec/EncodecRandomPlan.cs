using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>
/// An EnCodec with deterministic random weights in our GGUF layout, for the demo model set and benchmarks (no weights
/// can be downloaded). Scales follow the reference fixtures' init: kernels N(0,1)/sqrt(fan_in), biases 0.1·N(0,1),
/// LSTM U(±1/sqrt(width)), codebooks N(0,1). It makes structured noise, not music: outputs are labelled untrained.
/// </summary>
public sealed class EncodecRandomPlan : IConversionPlan
{
    private readonly EncodecConfig _config;

    public EncodecRandomPlan(EncodecConfig config, int seed)
    {
        _config = config.Validate();
        var random = new RandomTensors(seed);
        void Conv(ConvSpec c)
        {
            var scale = 1 / Math.Sqrt((double)c.Kernel * c.InChannels);
            random.Add(EncodecKeys.Weight(c.Name), [(long)c.Kernel * c.InChannels, c.OutChannels], TensorRole.Matrix, r => (float)(Normal(r) * scale));
            random.Add(EncodecKeys.Bias(c.Name), [c.OutChannels], TensorRole.Exact, r => (float)(0.1 * Normal(r)));
        }
        foreach (var layer in EncodecLayers.Encoder(config).Concat(EncodecLayers.Decoder(config)))
        {
            switch (layer)
            {
                case ConvSpec c: Conv(c); break;
                case ResidualBlockSpec b: Conv(b.First); Conv(b.Second); if (b.Shortcut is not null) Conv(b.Shortcut); break;
                case ConvTransposeSpec t:
                    var scale = 1 / Math.Sqrt((double)t.InChannels * t.Kernel / t.Stride);
                    random.Add(EncodecKeys.Weight(t.Name), [t.InChannels, (long)t.Kernel * t.OutChannels], TensorRole.Matrix, r => (float)(Normal(r) * scale));
                    random.Add(EncodecKeys.Bias(t.Name), [t.OutChannels], TensorRole.Exact, r => (float)(0.1 * Normal(r)));
                    break;
                case LstmSpec l:
                    var bound = 1 / Math.Sqrt(l.Width);
                    for (var i = 0; i < l.Layers; i++)
                    {
                        random.Add(EncodecKeys.LstmInput(l.GgufPrefix, i), [l.Width, 4L * l.Width], TensorRole.Matrix, r => (float)((r.NextDouble() * 2 - 1) * bound));
                        random.Add(EncodecKeys.LstmHidden(l.GgufPrefix, i), [l.Width, 4L * l.Width], TensorRole.Matrix, r => (float)((r.NextDouble() * 2 - 1) * bound));
                        random.Add(EncodecKeys.LstmBias(l.GgufPrefix, i), [4L * l.Width], TensorRole.Exact, r => (float)((r.NextDouble() * 2 - 1) * 2 * bound));
                    }
                    break;
            }
        }
        for (var q = 0; q < config.NumQuantizers; q++)
            random.Add(EncodecKeys.Codebook(q), [config.CodebookDim, config.CodebookSize], TensorRole.Exact, r => (float)Normal(r));
        Tensors = random.Tensors;
    }

    public string Architecture => EncodecKeys.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer)
    {
        EncodecMetadata.Write(writer, _config);
        writer.SetMetadata("general.name", "untrained random-weight EnCodec (demo/benchmark)");
    }

    private static double Normal(Random r) => RandomTensors.Normal(r);
}
