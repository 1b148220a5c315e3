using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Teacher-forced decoder logits of every MusicGen fixture set (tf_logits: the delayed ids through
/// model.decoder with the projected text states and their mask) against transformers 4.40.2.
/// </summary>
[Trait("Category", "Parity")]
public class MusicGenDecoderParityTests
{
    public static TheoryData<string> SetsWithTeacherForcedLogits()
    {
        var data = new TheoryData<string>();
        foreach (var name in SetNames()) data.Add(name);
        return data;
    }

    private static IEnumerable<string> SetNames() =>
        MusicGenFixtures.Sets().Where(s => s.Vectors.Any(v => v.Name == "tf_logits")).Select(s => s.Name);

    [Theory]
    [MemberData(nameof(SetsWithTeacherForcedLogits))]
    public void Teacher_forced_logits_match_transformers(string setName)
    {
        var set = FixtureSet.ByName(setName);
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var ids = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        var logits = decoder.Forward(ids, conditioning);
        var expected = set.Vector("tf_logits");
        ToleranceAssert.Matches(expected, logits.Select(x => (double)x).ToArray(),
            [ids.GetLength(0), ids.GetLength(1), decoder.Config.VocabSize]);
    }

    [Fact]
    public void The_fixtures_hold_mono_and_stereo_teacher_forcing()
    {
        // guards the data-driven theory against silently finding nothing
        var sets = SetNames().ToHashSet();
        Assert.Contains("musicgen-tiny", sets);
        Assert.Contains("musicgen-stereo-tiny", sets);
    }
}
