namespace MusicGen.Assistant.Text.Tests;

public sealed class UnigramSegmentationTests
{
    private static readonly SentencePieceTokenizer Toy = SentencePieceTokenizer.FromModel(ToyModels.Unigram());

    [Fact]
    public void Equal_scores_keep_the_path_found_first()
    {
        // ▁ab, ▁a+b and ▁+ab all score -4.0; the candidate starting earliest is kept.
        Assert.Equal(["\u2581ab"], Toy.EncodePieces("ab"));
        Assert.Equal([8], Toy.Encode("ab"));
    }

    [Fact]
    public void Best_total_score_wins_over_longest_match()
    {
        var tokenizer = SentencePieceTokenizer.FromModel(ToyModels.Unigram(abScore: -1.0f));
        // ▁ + ab = -3.0 beats ▁ab = -4.0.
        Assert.Equal(["\u2581", "ab"], tokenizer.EncodePieces("ab"));
    }

    [Fact]
    public void Consecutive_unknown_characters_become_one_unknown_piece()
    {
        Assert.Equal([8, 0, 9], Toy.Encode("abxxc"));
        Assert.Equal(["\u2581ab", "xx", "c"], Toy.EncodePieces("abxxc"));
        Assert.Equal("ab \u2047 c", Toy.Decode(Toy.Encode("abxxc")));
        // Unknowns of different scripts (and a surrogate pair) still merge.
        Assert.Equal(["\u2581", "x\u00e9\U0001F600"], Toy.EncodePieces("x\u00e9\U0001F600"));
    }

    [Fact]
    public void User_defined_symbol_is_kept_whole()
    {
        Assert.Equal([7, 10, 5], Toy.Encode("a<sep>b"));
        Assert.Equal("a<sep>b", Toy.Decode([7, 10, 5]));
    }

    [Fact]
    public void Extra_whitespace_is_removed_and_spaces_escaped()
    {
        Assert.Equal("\u2581ab\u2581c", Toy.Normalize("  ab  c "));
        Assert.Equal([8, 3, 9], Toy.Encode("  ab  c "));
        Assert.Empty(Toy.Encode("   "));
        Assert.Empty(Toy.Encode(""));
    }

    [Fact]
    public void Whitespace_flags_change_the_normalized_text()
    {
        var model = ToyModels.Unigram();
        var suffix = SentencePieceTokenizer.FromModel(model with { TrainerSpec = model.TrainerSpec with { TreatWhitespaceAsSuffix = true } });
        Assert.Equal("a\u2581b\u2581", suffix.Normalize(" a  b "));
        var plain = SentencePieceTokenizer.FromModel(model with
        {
            NormalizerSpec = model.NormalizerSpec with { EscapeWhitespaces = false, RemoveExtraWhitespaces = false },
        });
        Assert.Equal("  a  b ", plain.Normalize(" a  b "));
    }

    [Fact]
    public void Lone_surrogate_is_encoded_as_a_replacement_character()
    {
        Assert.Equal(Toy.EncodePieces("a\uFFFDb"), Toy.EncodePieces("a\uD800b"));
        Assert.Equal(["\u2581a", "\uFFFD", "b"], Toy.EncodePieces("a\uD800b"));
    }
}
