using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Generation;

/// <summary>What the user chose for sampling; null values mean "the model set's default" (audiocraft's preset).</summary>
public sealed record SamplingChoice(double? GuidanceScale = null, int? TopK = null, double? TopP = null, double? Temperature = null,
    ulong? Seed = null, bool Greedy = false)
{
    public SamplingSettings Settings(GenerationDefaults d)
    {
        var topP = TopP ?? d.TopP;
        return new SamplingSettings
        {
            UseSampling = !Greedy,
            GuidanceScale = (float)(GuidanceScale ?? d.GuidanceScale),
            TopK = TopK ?? d.TopK,
            TopP = topP == 0 ? 1f : (float)topP, // audiocraft's 0 = off is our 1
            Temperature = (float)(Temperature ?? d.Temperature),
        };
    }

    /// <summary>"sampling (top-k 250, top-p off, temperature 1), guidance 3" or "greedy, guidance 3".</summary>
    public static string Describe(SamplingSettings s) =>
        (s.UseSampling
            ? $"sampling (top-k {s.TopK}, top-p {(s.TopP >= 1 ? "off" : Units.Number(s.TopP))}, temperature {Units.Number(s.Temperature)})"
            : "greedy") + $", guidance {Units.Number(s.GuidanceScale)}";
}
