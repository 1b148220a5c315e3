using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>What the user chose for the model set and sampling; null values mean "the model set's default".</summary>
internal sealed record SamplingChoice(string? Model, double? GuidanceScale, int? TopK, double? TopP, double? Temperature, ulong? Seed, bool Greedy)
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

    public static string Describe(SamplingSettings s) =>
        (s.UseSampling
            ? $"sampling (top-k {s.TopK}, top-p {(s.TopP >= 1 ? "off" : Units.Number(s.TopP))}, temperature {Units.Number(s.Temperature)})"
            : "greedy") + $", guidance {Units.Number(s.GuidanceScale)}";
}
