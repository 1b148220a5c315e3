using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Encodec;

/// <summary>
/// Every EnCodec vector of every fixture set under MGA_FIXTURES, computed by our converter + ggml codec and compared
/// with the PyTorch reference under the tolerance vectors.json states (codes exactly).
/// </summary>
[Trait("Category", "Parity")]
public class EncodecParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in FixtureSet.All().Where(s => s.HasModel))
            foreach (var v in set.Vectors.Where(EncodecReference.Handles))
                data.Add(set.Name, v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Vector_matches_the_reference(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var vector = set.Vector(vectorName);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var codec = EncodecCodec.Load(ConvertedFixtures.Gguf(set), backend);
        var actual = new EncodecReference(codec).Evaluate(vector);
        ToleranceAssert.Matches(vector, actual.Data, actual.Shape);
    }

    [Fact]
    public void The_reference_fixtures_hold_encodec_vectors()
    {
        // guards the data-driven theory above against silently finding nothing
        Assert.Contains(Vectors(), row => (string)row[1] == "encodec_audio_codes");
    }
}
