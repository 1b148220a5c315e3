namespace MusicGen.Assistant.Text.Tests;

public sealed class DecodeTests
{
    private static readonly SentencePieceTokenizer Bpe = SentencePieceTokenizer.FromModel(ToyModels.Bpe());
    private static int Byte(int value) => 3 + value;

    [Fact]
    public void Leading_control_piece_does_not_stop_dummy_prefix_removal()
    {
        Assert.Equal("abc", Bpe.Decode([1, 266, 262]));
    }

    [Fact]
    public void Only_one_dummy_prefix_is_removed_without_whitespace_folding()
    {
        Assert.Equal(" ab", Bpe.Decode([259, 266]));
    }

    [Fact]
    public void Byte_pieces_are_reassembled_and_malformed_bytes_become_replacement_characters()
    {
        Assert.Equal("\u00e9", Bpe.Decode([Byte(0xC3), Byte(0xA9)]));
        Assert.Equal("\uFFFD", Bpe.Decode([Byte(0xC3)]));
        Assert.Equal("\uFFFDa", Bpe.Decode([Byte(0xC3), 260]));
        // U+2581 spelled in bytes is literal text, and it counts as visible output.
        Assert.Equal("\u2581 a", Bpe.Decode([Byte(0xE2), Byte(0x96), Byte(0x81), 265]));
    }

    [Fact]
    public void Unknown_id_decodes_to_the_unknown_surface()
    {
        Assert.Equal(" \u2047 ", Bpe.Decode([0]));
        Assert.Equal(" \u2047  a", Bpe.Decode([0, 265]));
    }

    [Fact]
    public void Whitespace_folding_model_drops_every_leading_space_piece()
    {
        var t5 = TokenizerCases.Tokenizer(TokenizerCases.T5);
        int space = t5.PieceToId("\u2581");
        Assert.Equal("a", t5.Decode([space, space, space, t5.PieceToId("\u2581a")]));
    }

    [Fact]
    public void Id_outside_the_vocabulary_is_refused_with_its_value()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Bpe.Decode([260, 269]));
        Assert.Contains("269", e.Message);
        Assert.Contains("0..268", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Bpe.Decode([-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Bpe.IdToPiece(269));
    }

    [Fact]
    public void Denormalizer_charsmap_is_applied_to_decoded_text()
    {
        var charsmap = TokenizerCases.Tokenizer(TokenizerCases.T5).Model.NormalizerSpec.PrecompiledCharsmap;
        var model = ToyModels.Unigram();
        model = model with
        {
            Pieces = [.. model.Pieces, new("\ufb01", -1, SentencePiece.PieceType.Normal)],
            DenormalizerSpec = new SentencePiece.NormalizerSpec
            {
                PrecompiledCharsmap = charsmap, AddDummyPrefix = false, RemoveExtraWhitespaces = false, EscapeWhitespaces = false,
            },
        };
        var tokenizer = SentencePieceTokenizer.FromModel(model);
        Assert.Equal("fi a", tokenizer.Decode([11, 7]));
    }

    [Fact]
    public void Empty_sequence_decodes_to_empty_text()
    {
        Assert.Equal("", Bpe.Decode([]));
    }
}
