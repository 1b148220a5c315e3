using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

[Trait("Category", "Parity")]
public sealed class SentencePieceParityTests
{
    public static TheoryData<string, int> Cases => TokenizerCases.AllCases();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encode_gives_sentencepiece_ids(string model, int index)
    {
        var expected = TokenizerCases.Cases(model)[index];
        Assert.Equal(expected.Ids, TokenizerCases.Tokenizer(model).Encode(expected.Text));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EncodePieces_gives_sentencepiece_pieces(string model, int index)
    {
        var expected = TokenizerCases.Cases(model)[index];
        Assert.Equal(expected.Pieces, TokenizerCases.Tokenizer(model).EncodePieces(expected.Text));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decode_gives_sentencepiece_text(string model, int index)
    {
        var expected = TokenizerCases.Cases(model)[index];
        Assert.Equal(expected.Decoded, TokenizerCases.Tokenizer(model).Decode(expected.Ids));
    }

    [Theory]
    [InlineData(TokenizerCases.T5)]
    [InlineData(TokenizerCases.Llama)]
    public void Vocabulary_equals_the_model_files_vocabulary(string model)
    {
        var expected = TokenizerCases.Vocab(model);
        var tokenizer = TokenizerCases.Tokenizer(model);
        Assert.Equal(expected.Count, tokenizer.VocabSize);
        for (int id = 0; id < expected.Count; id++)
        {
            var (piece, score, type) = expected[id];
            var actual = tokenizer.Pieces[id];
            Assert.Equal(piece, actual.Piece);
            Assert.Equal(score, actual.Score);
            Assert.Equal(type, TypeName(actual.Type));
            Assert.Equal(piece, tokenizer.IdToPiece(id));
            Assert.Equal(id, tokenizer.PieceToId(piece));
        }
    }

    [Theory]
    [InlineData(TokenizerCases.T5)]
    [InlineData(TokenizerCases.Llama)]
    public void Special_ids_match_the_fixture(string model)
    {
        var info = TokenizerCases.Model(model);
        var tokenizer = TokenizerCases.Tokenizer(model);
        Assert.Equal(info["unk_id"]!.GetValue<int>(), tokenizer.UnkId);
        Assert.Equal(info["bos_id"]!.GetValue<int>(), tokenizer.BosId);
        Assert.Equal(info["eos_id"]!.GetValue<int>(), tokenizer.EosId);
        Assert.Equal(info["pad_id"]!.GetValue<int>(), tokenizer.PadId);
        Assert.Equal(info["vocab_size"]!.GetValue<int>(), tokenizer.VocabSize);
    }

    [Fact]
    public void Model_settings_are_read_from_the_files()
    {
        var t5 = TokenizerCases.Tokenizer(TokenizerCases.T5).Model;
        Assert.Equal(SentencePieceModelType.Unigram, t5.TrainerSpec.ModelType);
        Assert.Equal("nmt_nfkc", t5.NormalizerSpec.Name);
        Assert.NotEmpty(t5.NormalizerSpec.PrecompiledCharsmap);
        Assert.True(t5.NormalizerSpec.RemoveExtraWhitespaces);
        Assert.False(t5.TrainerSpec.ByteFallback);

        var llama = TokenizerCases.Tokenizer(TokenizerCases.Llama).Model;
        Assert.Equal(SentencePieceModelType.Bpe, llama.TrainerSpec.ModelType);
        Assert.Equal("identity", llama.NormalizerSpec.Name);
        Assert.Empty(llama.NormalizerSpec.PrecompiledCharsmap);
        Assert.False(llama.NormalizerSpec.RemoveExtraWhitespaces);
        Assert.True(llama.NormalizerSpec.AddDummyPrefix);
        Assert.True(llama.TrainerSpec.ByteFallback);
        Assert.True(llama.TrainerSpec.SplitDigits);
        Assert.Equal(600, llama.TrainerSpec.VocabSize);
    }

    private static string TypeName(PieceType type) => type switch
    {
        PieceType.Normal => "normal",
        PieceType.Unknown => "unknown",
        PieceType.Control => "control",
        PieceType.UserDefined => "user_defined",
        PieceType.Unused => "unused",
        PieceType.Byte => "byte",
        _ => type.ToString(),
    };
}
