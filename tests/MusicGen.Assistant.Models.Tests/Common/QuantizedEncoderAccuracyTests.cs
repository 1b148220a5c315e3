using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Tests.Hubert;
using MusicGen.Assistant.Models.Tests.Vision;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using Xunit.Abstractions;

namespace MusicGen.Assistant.Models.Tests.Common;

/// <summary>
/// How far F16, BF16 and Q8_0 encoder weights (MERT/HuBERT, ViT, ViViT) move the fixture outputs, in units of each
/// vector's own tolerance (|ours − reference| / (atol + rtol·|reference|), worst element): the accuracy cost of the
/// faster weight types, printed per vector and bounded so a regression in the quantized paths shows.
/// </summary>
public class QuantizedEncoderAccuracyTests(ITestOutputHelper output)
{
    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in HubertFixtures.Sets().Concat(VisionFixtures.Sets()))
            foreach (var type in new[] { "f16", "bf16", "q8_0" })
                data.Add(set.Name, type);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Quantized_weights_stay_near_the_fixture_tolerance(string setName, string typeName)
    {
        var set = FixtureSet.ByName(setName);
        var type = StorageTypes.Parse(typeName);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        var vision = VisionFixtures.FamilyOf(set);
        using var hubert = vision is null ? HubertEncoder.Load(HubertFixtures.Gguf(set, type), backend) : null;
        using var encoder = vision is { } family ? VisionEncoder.Load(ConvertedFixtures.Gguf(set, type), family, backend) : null;
        var worstRatio = 0.0;
        var checkedVectors = 0;
        foreach (var v in set.Vectors.Where(v => !v.IsInput && v.Tolerance is { Exact: false }))
        {
            var actual = hubert is not null ? new HubertReference(hubert).Evaluate(v) : new VisionReference(encoder!).Evaluate(v);
            var e = v.Values();
            var (ratio, at) = (0.0, 0);
            for (var i = 0; i < e.Length; i++)
            {
                var r = Math.Abs(actual.Data[i] - e[i]) / (v.Tolerance!.Atol + v.Tolerance.Rtol * Math.Abs(e[i]));
                if (r > ratio) (ratio, at) = (r, i);
            }
            output.WriteLine($"{set.Name}/{v.Name} {typeName}: worst error {ratio:F2}x the tolerance ({v.Tolerance}) at {at}: {actual.Data[at]} vs {e[at]}");
            worstRatio = Math.Max(worstRatio, ratio);
            checkedVectors++;
        }
        Assert.True(checkedVectors > 0, $"{set.Name} has no float outputs to compare");
        // measured on the shared fixtures (tolerances atol 1e-5..1e-4, rtol 1e-3): f16 up to ~60x, bf16 (8 significant
        // bits in weights and activations) up to ~510x, q8_0 (8-bit weights and activations) up to ~1800x; the bounds
        // leave room for other fixture sets of the same layout
        var bound = type switch { StorageType.F16 => 150, StorageType.BF16 => 1200, _ => 4000 };
        Assert.True(worstRatio < bound, $"{set.Name} {typeName}: worst error {worstRatio:F1}x the fixture tolerance (bound {bound}x)");
    }
}
