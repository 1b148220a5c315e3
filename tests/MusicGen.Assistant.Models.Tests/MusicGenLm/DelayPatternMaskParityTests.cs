using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// The delay pattern against transformers 4.40.2: every fixture vector whose call is build_delay_pattern_mask
/// (exact), and the generate() outputs of every MusicGen fixture (delayed sequences → codes) through both the HF
/// bookkeeping and the audiocraft layout.
/// </summary>
[Trait("Category", "Parity")]
public class DelayPatternMaskParityTests
{
    public static TheoryData<string, string> BuildCalls()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in FixtureSet.All().Where(s => s.HasModel))
            foreach (var v in set.Vectors.Where(BuildDelayPatternMaskCall.Handles))
                data.Add(set.Name, v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(BuildCalls))]
    public void Build_matches_transformers(string setName, string vectorName)
    {
        var vector = FixtureSet.ByName(setName).Vector(vectorName);
        var actual = BuildDelayPatternMaskCall.Evaluate(vector);
        ToleranceAssert.Matches(vector, Grids.Flat(actual), Grids.Shape(actual));
    }

    [Fact]
    public void The_fixtures_hold_the_expected_build_calls()
    {
        // guards the data-driven theory against silently finding nothing (mono, stereo, short and prompted cases)
        var calls = BuildCalls().Select(row => $"{row[0]}/{row[1]}").ToHashSet();
        foreach (var expected in new[]
                 {
                     "musicgen-tiny/delay_bos_pattern_mask", "musicgen-tiny/delay_prompt_out_input_ids",
                     "musicgen-tiny/tf_decoder_input_ids", "musicgen-stereo-tiny/delay_short_pattern_mask",
                     "musicgen-stereo-tiny/delay_prompt_pattern_mask", "musicgen-prompted-tiny/gen_initial_input_ids",
                 })
            Assert.Contains(expected, calls);
    }

    /// <summary>Sets with a generate() result: (set, prefix) for gen_* and, where present, uncond_gen_*.</summary>
    public static TheoryData<string, string> Generations()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in FixtureSet.All().Where(s => s.HasModel))
            foreach (var prefix in new[] { "gen_", "uncond_gen_" })
                if (set.Vectors.Any(v => v.Name == prefix + "delayed_sequences") && set.Vectors.Any(v => v.Name == prefix + "audio_codes"))
                    data.Add(set.Name, prefix);
        return data;
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void Removing_pads_from_the_delayed_sequences_gives_the_decoded_codes(string setName, string prefix)
    {
        var set = FixtureSet.ByName(setName);
        var delayed = Grids.Matrix(set.Vector(prefix + "delayed_sequences"));
        var codes = set.Vector(prefix + "audio_codes");
        var pad = PadTokenId(set);
        var actual = DelayPatternMask.RemovePadding(delayed, pad);
        ToleranceAssert.Matches(codes, Grids.Flat(actual));
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void The_generated_sequences_hold_every_forced_token_of_the_mask(string setName, string prefix)
    {
        var set = FixtureSet.ByName(setName);
        var delayed = Grids.Matrix(set.Vector(prefix + "delayed_sequences"));
        var (k, channels) = BuildDelayPatternMaskCall.DecoderLayout(set);
        var pad = PadTokenId(set);
        // generate's mask: the bos column, followed by the audio prompt's codes when there is one
        var promptName = prefix.Replace("gen_", "prompt_audio_codes");
        var decoderInput = set.Vectors.Any(v => v.Name == promptName)
            ? WithBos(Grids.Matrix(set.Vector(promptName)), pad)
            : WithBos(new int[delayed.GetLength(0), 0], pad);
        var (_, mask) = DelayPatternMask.Build(decoderInput, k, pad, delayed.GetLength(1), channels);
        if (set.Vectors.Any(v => v.Name == prefix + "delay_pattern_mask"))
            ToleranceAssert.Matches(set.Vector(prefix + "delay_pattern_mask"), Grids.Flat(mask), Grids.Shape(mask));
        Assert.Equal(delayed, DelayPatternMask.ApplyMask(delayed, mask));
        Assert.Contains(DelayPatternMask.ToPredict, mask.Cast<int>()); // something was generated
    }

    [Theory]
    [MemberData(nameof(Generations))]
    public void The_audiocraft_layout_reverts_the_generated_sequences(string setName, string prefix)
    {
        var set = FixtureSet.ByName(setName);
        var delayed = Grids.Matrix(set.Vector(prefix + "delayed_sequences"));
        var codes = Grids.Matrix(set.Vector(prefix + "audio_codes"));
        var (k, channels) = BuildDelayPatternMaskCall.DecoderLayout(set);
        var provider = channels == 2 ? CodebookPatterns.StereoDelay(k / 2) : CodebookPatterns.Delay(k);
        var frames = codes.GetLength(1);
        var pattern = provider.GetPattern(frames);
        Assert.Equal(pattern.SequenceLength, delayed.GetLength(1)); // HF max_length = audiocraft S
        var pad = PadTokenId(set);
        for (var b = 0; b < delayed.GetLength(0) / k; b++)
        {
            var item = Grids.Rows(delayed, b * k, k);
            Assert.Equal(Grids.Rows(codes, b * k, k), pattern.Revert(item, pad).Values);
            Assert.Equal(item, pattern.Build(Grids.Rows(codes, b * k, k), pad).Values); // and back, pads included
        }
    }

    [Fact]
    public void Stereo_codes_are_the_left_and_right_codes_interleaved()
    {
        var set = FixtureSet.ByName("musicgen-stereo-tiny");
        var left = Grids.Matrix(set.Vector("encodec_audio_codes_left"));   // [bsz·4, frames]
        var right = Grids.Matrix(set.Vector("encodec_audio_codes_right"));
        var stereo = Grids.Matrix(set.Vector("encodec_stereo_audio_codes")); // [bsz·8, frames]
        for (var b = 0; b < stereo.GetLength(0) / 8; b++)
        {
            var interleaved = StereoCodebooks.Interleave(Grids.Rows(left, 4 * b, 4), Grids.Rows(right, 4 * b, 4));
            Assert.Equal(Grids.Rows(stereo, 8 * b, 8), interleaved);
        }
    }

    private static int PadTokenId(FixtureSet set) =>
        System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(set.ConfigPath))!["decoder"]!["pad_token_id"]!.GetValue<int>();

    private static int[,] WithBos(int[,] codes, int pad)
    {
        var ids = new int[codes.GetLength(0), 1 + codes.GetLength(1)];
        for (var r = 0; r < codes.GetLength(0); r++)
        {
            ids[r, 0] = pad;
            for (var c = 0; c < codes.GetLength(1); c++) ids[r, 1 + c] = codes[r, c];
        }
        return ids;
    }
}
