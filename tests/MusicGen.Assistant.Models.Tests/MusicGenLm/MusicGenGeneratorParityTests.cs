using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Greedy, guided generation of every MusicGen fixture run against transformers 4.40.2's generate(): the per-step
/// guided scores (tolerance), the delayed token matrix and the codes (exactly) and the decoded audio (tolerance) —
/// mono with a padded two-prompt batch, stereo, audio-prompt continuation with and without text.
/// </summary>
[Trait("Category", "Parity")]
public class MusicGenGeneratorParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in VectorNames()) data.Add(name.Set, name.Vector);
        return data;
    }

    private static IEnumerable<(string Set, string Vector)> VectorNames() =>
        from run in GenerationReference.Runs()
        from output in GenerationReference.Outputs
        where run.Set.Vectors.Any(v => v.Name == run.Prefix + output)
        select (run.Set.Name, run.Prefix + output);

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Generated_output_matches_transformers(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var prefix = vectorName.StartsWith("uncond_gen_") ? "uncond_gen_" : "gen_";
        var reference = GenerationReference.For(set, prefix);
        var vector = set.Vector(vectorName);
        ToleranceAssert.Matches(vector, reference.Output(vectorName[prefix.Length..]));
    }

    [Fact]
    public void The_fixtures_hold_every_kind_of_generation()
    {
        // guards the data-driven theory against silently finding nothing: mono (padded batch), stereo, prompted
        var names = VectorNames().Select(n => $"{n.Set}/{n.Vector}").ToHashSet();
        foreach (var expected in new[]
                 {
                     "musicgen-tiny/gen_scores", "musicgen-tiny/gen_delayed_sequences", "musicgen-tiny/gen_audio_codes",
                     "musicgen-tiny/gen_audio_values", "musicgen-stereo-tiny/gen_audio_values", "musicgen-stereo-tiny/gen_scores",
                     "musicgen-prompted-tiny/gen_audio_codes", "musicgen-prompted-tiny/uncond_gen_scores",
                     "musicgen-prompted-tiny/uncond_gen_audio_values",
                 })
            Assert.Contains(expected, names);
    }
}
