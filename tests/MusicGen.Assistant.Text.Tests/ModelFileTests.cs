using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.Tests;

public sealed class ModelFileTests
{
    [Theory]
    [InlineData(TokenizerCases.T5)]
    [InlineData(TokenizerCases.Llama)]
    public void Rewritten_model_reads_back_identically(string model)
    {
        var original = SentencePieceModelProto.ReadFile(TokenizerCases.ModelPath(model));
        var reread = ModelProtoParser.Parse(ModelProtoWriter.Write(original), "rewritten");
        Assert.Equal(original.Pieces, reread.Pieces);
        Assert.Equal(original.TrainerSpec, reread.TrainerSpec);
        Assert.Equal(original.NormalizerSpec.PrecompiledCharsmap, reread.NormalizerSpec.PrecompiledCharsmap);
        Assert.Equal(original.NormalizerSpec with { PrecompiledCharsmap = [] }, reread.NormalizerSpec with { PrecompiledCharsmap = [] });
    }

    [Fact]
    public void Toy_model_written_to_disk_loads_and_encodes()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("toy.model", ModelProtoWriter.Write(ToyModels.Unigram()));
        var tokenizer = SentencePieceTokenizer.Load(path);
        Assert.Equal([8, 0, 9], tokenizer.Encode("abxxc"));
        Assert.Equal(path, tokenizer.Source);
    }

    [Fact]
    public void Folder_loads_its_sentencepiece_model_first()
    {
        using var dir = new TempDirectory();
        dir.Write("tokenizer.json", "{ not even json");
        Assert.Throws<FileNotFoundException>(() => SentencePieceTokenizer.Load(System.IO.Path.Combine(dir.Path, "missing")));
        Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.Load(dir.Path));
        string model = dir.Write("spiece.model", File.ReadAllBytes(TokenizerCases.ModelPath(TokenizerCases.T5)));
        var tokenizer = SentencePieceTokenizer.Load(dir.Path);
        Assert.Equal(model, tokenizer.Source);
        Assert.Equal(500, tokenizer.VocabSize);
    }

    [Fact]
    public void Folder_without_tokenizer_files_names_what_it_looked_for()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => SentencePieceTokenizer.Load(dir.Path));
        Assert.Contains("spiece.model", e.Message);
    }

    [Fact]
    public void Empty_file_is_refused()
    {
        var e = LoadFails([]);
        Assert.Contains("empty", e.Problem);
    }

    [Fact]
    public void Text_file_is_refused_as_not_a_model()
    {
        var e = LoadFails("this is a plain text file, not a sentencepiece model\n"u8.ToArray());
        Assert.Contains("not a valid sentencepiece model", e.Message);
    }

    [Fact]
    public void Truncated_model_names_the_truncation()
    {
        byte[] data = File.ReadAllBytes(TokenizerCases.ModelPath(TokenizerCases.T5));
        var e = LoadFails(data[..(data.Length / 2)]);
        Assert.Contains("truncated", e.Problem);
        Assert.Contains("byte", e.Problem);
    }

    [Fact]
    public void Random_bytes_are_refused()
    {
        var random = new Random(1234);
        for (int trial = 0; trial < 50; trial++)
        {
            var data = new byte[random.Next(1, 400)];
            random.NextBytes(data);
            if (data[0] == (byte)'{') data[0] = 0;
            Assert.IsType<TokenizerFormatException>(LoadFails(data));
        }
    }

    [Fact]
    public void Unknown_piece_type_is_named()
    {
        var file = new MemoryStream();
        var piece = new MemoryStream();
        ModelProtoWriter.Bytes(piece, 1, "a"u8.ToArray());
        ModelProtoWriter.Varint(piece, 3, 9);
        ModelProtoWriter.Message(file, 1, piece.ToArray());
        var e = LoadFails(file.ToArray());
        Assert.Contains("pieces[0]", e.Problem);
        Assert.Contains("type 9", e.Problem);
    }

    [Fact]
    public void Missing_specs_are_named()
    {
        var file = new MemoryStream();
        ModelProtoWriter.Message(file, 1, ModelProtoWriter.PieceBytes(new("<unk>", 0, PieceType.Unknown)));
        Assert.Contains("trainer_spec", LoadFails(file.ToArray()).Problem);
    }

    [Fact]
    public void Duplicate_piece_is_refused()
    {
        var model = ToyModels.Unigram();
        model = model with { Pieces = [.. model.Pieces, new("ab", -5, PieceType.Normal)] };
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.FromModel(model, "dup"));
        Assert.Contains("'ab' is defined twice (ids 6 and 11)", e.Message);
    }

    [Fact]
    public void Model_without_unknown_piece_is_refused()
    {
        var model = ToyModels.Unigram();
        model = model with { Pieces = model.Pieces.Select(p => p.Type == PieceType.Unknown ? p with { Type = PieceType.Control } : p).ToList() };
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.FromModel(model));
        Assert.Contains("no UNKNOWN piece", e.Message);
    }

    [Fact]
    public void Byte_fallback_without_all_byte_pieces_is_refused()
    {
        var model = ToyModels.Bpe();
        model = model with { Pieces = model.Pieces.Where(p => p.Piece != "<0x7F>").ToList() };
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.FromModel(model));
        Assert.Contains("<0x7F>", e.Message);
    }

    [Fact]
    public void Unsupported_model_type_is_named()
    {
        var model = ToyModels.Unigram();
        model = model with { TrainerSpec = model.TrainerSpec with { ModelType = SentencePieceModelType.Word } };
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.FromModel(model));
        Assert.Contains("Word", e.Message);
    }

    [Fact]
    public void Broken_charsmap_is_refused()
    {
        var model = ToyModels.Unigram();
        byte[] charsmap = [0xFF, 0x00, 0x00, 0x00, 1, 2, 3, 4];
        model = model with { NormalizerSpec = model.NormalizerSpec with { PrecompiledCharsmap = charsmap } };
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.FromModel(model, "bad-charsmap"));
        Assert.Contains("trie size 255", e.Message);
        Assert.StartsWith("bad-charsmap:", e.Message);
    }

    [Fact]
    public void Charsmap_pointing_outside_its_tables_fails_when_used()
    {
        // A one-unit trie whose root offset sends every lookup far outside the array.
        var model = ToyModels.Unigram();
        byte[] charsmap = [4, 0, 0, 0, 0x00, 0xFC, 0xFF, 0x7F, (byte)'x', 0];
        model = model with { NormalizerSpec = model.NormalizerSpec with { PrecompiledCharsmap = charsmap } };
        var tokenizer = SentencePieceTokenizer.FromModel(model, "corrupt-trie");
        var e = Assert.Throws<TokenizerFormatException>(() => tokenizer.Encode("a"));
        Assert.Contains("outside", e.Message);
    }

    private static TokenizerFormatException LoadFails(byte[] content)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("broken.model", content);
        var e = Assert.Throws<TokenizerFormatException>(() => SentencePieceTokenizer.Load(path));
        Assert.Equal(path, e.Source);
        Assert.StartsWith(path, e.Message);
        return e;
    }
}
