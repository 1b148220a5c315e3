namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

public class AttentionMasksTests
{
    private const float B = AttentionMasks.Blocked;

    [Fact]
    public void A_causal_mask_lets_each_query_see_the_past_and_itself()
    {
        // two queries at positions 2 and 3 over keys 0..3
        Assert.Equal([0, 0, 0, B, 0, 0, 0, 0], AttentionMasks.Causal(2, 2));
        Assert.Equal([0f], AttentionMasks.Causal(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => AttentionMasks.Causal(0, 0));
    }

    [Fact]
    public void A_key_padding_mask_blocks_padded_keys_per_row_and_is_left_out_when_nothing_is_padded()
    {
        bool[] keep = [true, true, false, true, true, true];  // row 0 padded at key 2
        Assert.Equal([0, 0, B, 0, 0, B, 0, 0, 0, 0, 0, 0], AttentionMasks.KeyPadding(keep, 2, 3, 2)!);
        Assert.Null(AttentionMasks.KeyPadding([true, true], 1, 2, 4));
        var e = Assert.Throws<ArgumentException>(() => AttentionMasks.KeyPadding(keep, 2, 2, 1));
        Assert.Contains("6 values is not [2 rows, 2 keys]", e.Message);
    }
}
