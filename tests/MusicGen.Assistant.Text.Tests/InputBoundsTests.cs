namespace MusicGen.Assistant.Text.Tests;

/// <summary>
/// A tokenizer file is read within its own bytes: a length or size it declares beyond what the file holds is refused
/// before anything of that size is allocated.
/// </summary>
public sealed class InputBoundsTests
{
    [Theory]
    [InlineData(1)]          // pieces
    [InlineData(2)]          // trainer_spec
    [InlineData(3)]          // normalizer_spec
    public void A_field_claiming_more_bytes_than_the_file_holds_is_refused(int field)
    {
        var file = new MemoryStream();
        ModelProtoWriter.Tag(file, field, 2);
        ModelProtoWriter.RawVarint(file, 1UL << 40); // a terabyte, in a file of a few bytes
        file.Write([1, 2, 3]);
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePiece.ModelProtoParser.Parse(file.ToArray(), "huge.model"));
        Assert.Contains($"claims {1UL << 40} bytes but only 3 remain", e.Problem);
    }

    [Fact]
    public void A_charsmap_claiming_a_trie_larger_than_itself_is_refused()
    {
        var model = ToyModels.Unigram();
        model = model with { NormalizerSpec = model.NormalizerSpec with { PrecompiledCharsmap = [0xF0, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0] } };
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.FromModel(model, "huge-charsmap"));
        Assert.Contains("exceeds the 4 bytes after the header", e.Message);
    }

    [Fact]
    public void A_tokenizer_json_is_bounded_by_its_text()
    {
        var e = Assert.Throws<TokenizerFormatException>(() =>
            HuggingFace.TokenizerJsonReader.Parse("{\"model\": {\"type\": \"Unigram\", \"vocab\": [[\"a\", 0"u8, "cut.json"));
        Assert.Contains("not valid JSON", e.Problem);
    }
}
