using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

public sealed class BpeSegmentationTests
{
    private static readonly SentencePieceTokenizer Toy = SentencePieceTokenizer.FromModel(ToyModels.Bpe());

    [Fact]
    public void Highest_score_merges_first_and_leftmost_wins_ties()
    {
        // ab and bc tie at -1: the left pair (ab) merges, then ▁ab (-3) beats abc (-4).
        Assert.Equal(["\u2581ab", "c"], Toy.EncodePieces("abc"));
        Assert.Equal([266, 262], Toy.Encode("abc"));
        Assert.Equal(["\u2581", "bc"], Toy.EncodePieces("bc"));
    }

    [Fact]
    public void Unknown_characters_fall_back_to_utf8_bytes()
    {
        Assert.Equal(["\u2581", "<0xC3>", "<0xA9>"], Toy.EncodePieces("\u00e9"));
        Assert.Equal([259, 3 + 0xC3, 3 + 0xA9], Toy.Encode("\u00e9"));
        Assert.Equal("\u00e9", Toy.Decode(Toy.Encode("\u00e9")));
    }

    [Fact]
    public void User_defined_symbol_never_merges()
    {
        Assert.Equal(["\u2581a", "<sep>", "b"], Toy.EncodePieces("a<sep>b"));
    }

    [Fact]
    public void Whitespace_is_kept_when_not_folding()
    {
        Assert.Equal(["\u2581", "\u2581ab", "c", "\u2581", "\u2581"], Toy.EncodePieces(" abc  "));
        Assert.Equal(" abc  ", Toy.Decode(Toy.Encode(" abc  ")));
    }

    [Fact]
    public void Unused_piece_is_merged_through_then_split_back()
    {
        var tokenizer = SentencePieceTokenizer.FromModel(ToyModels.Bpe(spaceAbType: PieceType.Unused));
        Assert.Equal(["\u2581", "ab", "c"], tokenizer.EncodePieces("abc"));
        Assert.Equal([259, 263, 262], tokenizer.Encode("abc"));
    }
}
