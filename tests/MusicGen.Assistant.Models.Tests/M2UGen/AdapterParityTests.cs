using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// Every adapter stage of every fixture set under MGA_FIXTURES (the vectors of model.forward_audio / _image /
/// _video), computed by our converter + ggml adapter from the encoder output the fixture recorded, and compared with
/// the PyTorch reference under the tolerance vectors.json states.
/// </summary>
[Trait("Category", "Parity")]
public class AdapterParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in FixtureSet.All().Where(s => s.HasModel))
            foreach (var v in set.Vectors.Where(AdapterFixtureVectors.Handles))
                data.Add(set.Name, v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Stage_matches_the_reference(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var stage = AdapterFixtureVectors.Parse(set.Vector(vectorName));
        var result = Run(set, stage.Modality, StorageType.F32);
        var (values, shape) = AdapterFixtureVectors.Stage(result, stage.Stage);
        ToleranceAssert.Matches(stage.Vector, values.Select(x => (double)x).ToArray(), shape);
    }

    [Theory]
    [InlineData(StorageType.F16, 2e-3)]
    [InlineData(StorageType.Q8_0, 4e-2)] // q8_0 products quantize the activations too
    public void Quantized_adapters_stay_close_to_the_reference_token(StorageType type, double maxRelativeRms)
    {
        foreach (var set in FixtureSet.All().Where(s => s.HasModel))
            foreach (var feats in set.Vectors.Where(AdapterFixtureVectors.Handles).Select(AdapterFixtureVectors.Parse).Where(s => s.Stage == "feats"))
            {
                var token = Run(set, feats.Modality, type).Token;
                var expected = feats.Vector.Values();
                var error = Math.Sqrt(expected.Select((e, i) => (token[i] - e) * (token[i] - e)).Sum() / expected.Sum(e => e * e));
                Assert.True(error < maxRelativeRms, $"{feats.Vector} in {StorageTypes.Name(type)}: relative RMS error {error:E2} (limit {maxRelativeRms:E0})");
                Assert.True(error > 0, $"{feats.Vector} in {StorageTypes.Name(type)}: identical to f32, so the weights were not stored as {type}");
            }
    }

    [Fact]
    public void The_reference_fixtures_hold_every_adapter_stage()
    {
        // guards the data-driven theory above against silently finding nothing
        var rows = Vectors().Select(r => ((string)r[0], (string)r[1])).ToList();
        foreach (var prefix in new[] { "audio", "image", "video" })
            foreach (var stage in new[] { "agg", "normalized", "proj", "block1", "block2", "feats" })
                Assert.Contains(("m2ugen-tiny", $"{prefix}_{stage}"), rows);
        Assert.Contains(("m2ugen-tiny", "audio_layer_means"), rows);
    }

    internal static AdapterResult Run(FixtureSet set, M2UGenModality modality, StorageType type)
    {
        var input = AdapterFixtureVectors.Input(set, modality);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var adapters = M2UGenAdapters.Load(ConvertedFixtures.Gguf(set, type), backend, [modality]);
        return adapters.Embed(modality, input.Values().Select(x => (float)x).ToArray(), input.Shape.Select(d => (int)d).ToArray());
    }
}
