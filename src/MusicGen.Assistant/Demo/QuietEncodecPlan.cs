using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The demo codec's random weights with the decoder's last convolution (the one that makes the waveform) scaled by
/// <see cref="OutputGain"/>: that layer is linear and nothing follows it, so the output is scaled exactly. Unscaled, the
/// random decoder peaks around +14 dBFS (5x full scale) and clips as soon as it is written as PCM; scaled, the demo's
/// audio peaks near -12 dBFS. Deterministic: same seed, same weights.
/// </summary>
internal sealed class QuietEncodecPlan : IConversionPlan
{
    /// <summary>1/20: measured peaks of 4.7-5.4 x full scale (seeds 1-4, 5 s) become 0.23-0.27 (about -12 dBFS).</summary>
    public const float OutputGain = 0.05f;

    private readonly EncodecRandomPlan _plan;

    public QuietEncodecPlan(EncodecConfig config, int seed)
    {
        _plan = new EncodecRandomPlan(config, seed);
        var last = EncodecLayers.Decoder(config).OfType<ConvSpec>().Last();
        string[] scaled = [EncodecKeys.Weight(last.Name), EncodecKeys.Bias(last.Name)];
        Tensors = _plan.Tensors.Select(t => scaled.Contains(t.Name)
            ? t with { Produce = () => t.Produce().Select(v => v * OutputGain).ToArray() }
            : t).ToList();
    }

    public string Architecture => _plan.Architecture;
    public IReadOnlyList<PlannedTensor> Tensors { get; }
    public void WriteMetadata(GgufWriter writer) => _plan.WriteMetadata(writer);
}
