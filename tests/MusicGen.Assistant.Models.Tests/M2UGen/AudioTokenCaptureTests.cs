using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>The [AUD] capture follows generate()'s counter exactly, including its quirks.</summary>
public class AudioTokenCaptureTests
{
    private static readonly int[] Aud = [100, 101, 102, 103];

    [Fact]
    public void A_full_run_collects_one_state_per_token_in_order()
    {
        var capture = Run(100, 101, 102, 103);
        Assert.Equal([100f, 101, 102, 103], Firsts(capture));
    }

    [Fact]
    public void Other_tokens_and_out_of_turn_aud_tokens_leave_the_counter_alone()
    {
        // 5 is not an [AUD] token; 100 while [AUD1] is expected and 102 before [AUD1] are ignored, as in generate()
        var capture = Run(100, 5, 100, 102, 101, 102, 7, 103);
        Assert.Equal([100f, 101, 102, 103], Firsts(capture));
    }

    [Fact]
    public void A_new_first_token_after_a_full_run_starts_over_and_a_partial_run_makes_no_music()
    {
        Assert.Equal([100f, 101, 102, 103], Firsts(Run(100, 101, 102, 103, 100, 101, 102, 103)));
        Assert.Null(Run(100, 101, 102, 103, 100, 101).Collected());
        Assert.Null(Run(100, 101).Collected());
        Assert.Null(new AudioTokenCapture([], 1).Collected());
    }

    // each observed token's "hidden state" is the token id itself, one value wide
    private static AudioTokenCapture Run(params int[] tokens)
    {
        var capture = new AudioTokenCapture(Aud, 1);
        foreach (var t in tokens) capture.Observe(t, [t]);
        return capture;
    }

    private static float[] Firsts(AudioTokenCapture c) => c.Collected() ?? throw new Xunit.Sdk.XunitException("nothing collected");
}
