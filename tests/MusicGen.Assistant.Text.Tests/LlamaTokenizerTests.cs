using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

/// <summary>Hugging Face slow-LlamaTokenizer behaviour on the toy BPE model, worked out from the transformers source.</summary>
public sealed class LlamaTokenizerTests
{
    // toy BPE ids: <unk> 0, <s> 1, </s> 2, bytes 3..258, ▁ 259, a 260, b 261, c 262, ab 263, bc 264, ▁a 265, ▁ab 266, abc 267, <sep> 268 (user-defined)
    private static readonly LlamaTokenizer Toy = LlamaTokenizer.FromModel(ToyModels.Bpe(), "toy", ["[X]", "[X]Y"]);

    [Fact]
    public void Each_chunk_between_added_tokens_gets_its_own_dummy_prefix()
    {
        // raw sentencepiece keeps one prefix and matches <sep> inside: ▁a <sep> b
        Assert.Equal(["\u2581a", "<sep>", "b"], Toy.SentencePiece.EncodePieces("a<sep>b"));
        // the slow tokenizer splits first, so "b" is encoded alone and gets "▁" before it
        Assert.Equal(["\u2581a", "<sep>", "\u2581", "b"], Toy.Tokenize("a<sep>b"));
        Assert.Equal([1, 265, 268, 259, 261], Toy.Encode("a<sep>b"));
    }

    [Fact]
    public void Appended_tokens_follow_the_vocabulary_and_the_longest_match_wins()
    {
        int baseSize = ToyModels.Bpe().Pieces.Count;
        Assert.Equal(baseSize + 2, Toy.VocabSize);
        Assert.Equal([268, baseSize, baseSize + 1], Toy.AddedTokenIds);
        Assert.Equal([265, baseSize + 1, 265], Toy.Encode("a[X]Ya", addSpecialTokens: false));
        Assert.Equal([265, baseSize, 265], Toy.Encode("a[X]a", addSpecialTokens: false));
        // " [a" alone: dummy prefix + space, then "[" (no piece) falls back to its byte
        Assert.Equal([265, baseSize, 259, 259, 3 + '[', 260], Toy.Encode("a[X] [a", addSpecialTokens: false));
    }

    [Fact]
    public void Special_tokens_written_in_the_text_are_matched()
    {
        Assert.Equal([265, 1, 265, 2], Toy.Encode("a<s>a</s>", addSpecialTokens: false));
        Assert.Equal(["\u2581a", "<s>", "\u2581a", "</s>"], Toy.Tokenize("a<s>a</s>"));
    }

    [Fact]
    public void Bos_is_prepended_and_eos_only_when_asked()
    {
        Assert.Equal([1, 265], Toy.Encode("a"));
        var withEos = LlamaTokenizer.FromModel(ToyModels.Bpe(), options: new LlamaTokenizerOptions { AddEos = true });
        Assert.Equal([1, 265, 2], withEos.Encode("a"));
        var noBos = LlamaTokenizer.FromModel(ToyModels.Bpe(), options: new LlamaTokenizerOptions { AddBos = false });
        Assert.Equal([265], noBos.Encode("a"));
    }

    [Fact]
    public void Decode_follows_the_legacy_rules_and_can_skip_special_tokens()
    {
        int x = Toy.AddedTokenIds[1];
        Assert.Equal("a [X] ab", Toy.Decode([265, x, 266]));
        // legacy quirk: the space before a special token lands before the text decoded ahead of it
        Assert.Equal(" a</s>", Toy.Decode([265, 2]));
        Assert.Equal("<s>a", Toy.Decode([1, 265]));
        Assert.Equal("a", Toy.Decode([1, 265, 2], skipSpecialTokens: true));
        // a run that decodes to nothing before an added token is left out; the last run is kept even if empty
        Assert.Equal("[X] [X] ", Toy.Decode([x, 259, x, 259, 259]));
    }

    [Fact]
    public void DecodePieces_copies_unknown_strings_through()
    {
        Assert.Equal("azz", Toy.SentencePiece.DecodePieces(["", "\u2581a", "zz"]));
        Assert.Equal(" \u2047 ", Toy.SentencePiece.DecodePieces(["<unk>"]));
        Assert.Equal("\u00e9", Toy.SentencePiece.DecodePieces(["<0xC3>", "<0xA9>"]));
    }

    [Fact]
    public void Added_token_already_in_the_vocabulary_keeps_its_id()
    {
        var tokenizer = LlamaTokenizer.FromModel(ToyModels.Bpe(), addedTokens: ["bc"]);
        Assert.Equal(ToyModels.Bpe().Pieces.Count, tokenizer.VocabSize);
        Assert.Equal(264, tokenizer.FindToken("bc"));
        Assert.Equal([265, 264], tokenizer.Encode("abc", addSpecialTokens: false));
    }

    [Fact]
    public void Byte_piece_and_empty_added_tokens_are_refused()
    {
        Assert.Contains("byte piece", Assert.Throws<TokenizerFormatException>(() => LlamaTokenizer.FromModel(ToyModels.Bpe(), addedTokens: ["<0x41>"])).Message);
        Assert.Contains("empty", Assert.Throws<TokenizerFormatException>(() => LlamaTokenizer.FromModel(ToyModels.Bpe(), addedTokens: [""])).Message);
    }

    [Fact]
    public void Special_ids_outside_the_vocabulary_are_refused()
    {
        var e = Assert.Throws<TokenizerFormatException>(() => LlamaTokenizer.FromModel(ToyModels.Bpe(), options: new LlamaTokenizerOptions { BosId = 9999 }));
        Assert.Contains("bos id 9999", e.Message);
    }

    [Fact]
    public void Decode_names_an_id_outside_the_vocabulary()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Toy.Decode([265, Toy.VocabSize]));
        Assert.Contains("position 1", e.Message);
    }

    [Fact]
    public void Newline_is_found_through_its_byte_piece()
    {
        Assert.Equal(3 + '\n', Toy.NewlineId);
        Assert.Equal("a", Toy.DecodeUntilNewline([265, 3 + '\n', 266]));
        var noNewline = LlamaTokenizer.FromModel(ToyModels.Unigram());
        Assert.Equal(-1, noNewline.NewlineId);
    }

    [Fact]
    public void Model_file_or_folder_loads_with_added_tokens()
    {
        using var dir = new TempDirectory();
        dir.Write("tokenizer.model", ModelProtoWriter.Write(ToyModels.Bpe()));
        var fromFolder = LlamaTokenizer.Load(dir.Path, ["[X]"]);
        Assert.Equal(ToyModels.Bpe().Pieces.Count + 1, fromFolder.VocabSize);
        Assert.Equal(PieceType.UserDefined, fromFolder.SentencePiece.GetPieceType(fromFolder.VocabSize - 1));
        Assert.Throws<FileNotFoundException>(() => LlamaTokenizer.Load(System.IO.Path.Combine(dir.Path, "nothing-here")));
    }
}
