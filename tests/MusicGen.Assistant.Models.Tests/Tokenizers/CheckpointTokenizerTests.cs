using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.Tests.Tokenizers;

/// <summary>
/// Converting a Hugging Face folder puts its tokenizer into the GGUF, and a model set made of that one file finds it:
/// MusicGen's T5 tokenizer (spiece.model) and a LLaMA folder's tokenizer.model with added tokens.
/// </summary>
public sealed class CheckpointTokenizerTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mga-checkpoint-tokenizer-");

    public void Dispose() => _dir.Delete(recursive: true);

    private string Folder(string name) => Directory.CreateDirectory(Path.Combine(_dir.FullName, name)).FullName;

    /// <summary>A MusicGen folder as the hub ships it: the fixture checkpoint plus the T5 tokenizer as spiece.model.</summary>
    private string MusicGenFolder()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        string folder = Folder("musicgen");
        foreach (string file in Directory.GetFiles(set.Directory).Where(f => !Path.GetFileName(f).StartsWith("vectors.", StringComparison.Ordinal)))
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(file)), file);
        File.Copy(TokenizerFixture.ModelPath(TokenizerFixture.T5), Path.Combine(folder, "spiece.model"));
        return folder;
    }

    [Fact]
    public void A_musicgen_folder_converts_into_a_gguf_that_carries_its_t5_tokenizer()
    {
        string output = Path.Combine(Folder("out"), "musicgen.gguf");
        var (_, detected) = CheckpointConversion.Convert(MusicGenFolder(), output, StorageType.F32);
        Assert.Contains(detected.Notes, n => n.Contains("T5 tokenizer") && n.Contains("embedded"));

        var original = SentencePieceTokenizer.Load(TokenizerFixture.ModelPath(TokenizerFixture.T5));
        var embedded = TokenizerFiles.LoadSentencePiece(output);
        Assert.Equal(original.Pieces, embedded.Pieces);
        foreach (var c in TokenizerFixture.Cases(TokenizerFixture.T5)) Assert.Equal(c.Ids, embedded.Encode(c.Text!));
        var t5 = new T5TextEncoding(embedded); // eos and pad survive the trip
        Assert.Equal(original.EosId, t5.EncodeBatch(["a"]).InputIds[^1]);

        // the lone GGUF is a whole model set, and its own tokenizer wins over a file beside it
        Assert.Equal(output, ModelSetLocator.Resolve(output).TokenizerPath);
        File.Copy(TokenizerFixture.ModelPath(TokenizerFixture.Llama), Path.Combine(Path.GetDirectoryName(output)!, "spiece.model"));
        Assert.Equal(output, ModelSetLocator.Resolve(output).TokenizerPath);
    }

    [Fact]
    public void A_folder_without_tokenizer_files_converts_without_one()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        Assert.Null(CheckpointTokenizer.Find(set.Directory, "musicgen"));
        Assert.Null(CheckpointTokenizer.Find(MusicGenFolder(), "encodec")); // families without a tokenizer
    }

    [Fact]
    public void A_broken_tokenizer_file_fails_the_conversion()
    {
        string folder = Folder("broken");
        File.WriteAllText(Path.Combine(folder, "spiece.model"), "not a model");
        var e = Assert.Throws<TokenizerFormatException>(() => CheckpointTokenizer.Find(folder, "musicgen"));
        Assert.Contains("spiece.model", e.Message);
    }

    [Fact]
    public void A_manifest_without_a_tokenizer_uses_the_one_in_the_text_encoder_gguf()
    {
        string folder = Folder("manifest");
        string manifest = Path.Combine(folder, ModelSetManifest.FileName);
        File.WriteAllText(manifest, """{ "name": "x", "kind": "musicgen", "text_encoder": "m.gguf", "decoder": "m.gguf", "codec": "m.gguf" }""");
        Assert.Equal(Path.Combine(folder, "m.gguf"), ModelSetManifestFile.Read(manifest).TokenizerPath);
    }

    [Fact]
    public void A_llama_folder_converts_into_a_gguf_whose_tokenizer_matches_its_embedding_rows()
    {
        var set = FixtureSet.ByName("llama-tiny");
        string folder = Folder("llama-hf");
        foreach (string file in Directory.GetFiles(set.Directory).Where(f => !Path.GetFileName(f).StartsWith("vectors.", StringComparison.Ordinal)))
            File.CreateSymbolicLink(Path.Combine(folder, Path.GetFileName(file)), file);
        File.Copy(TokenizerFixture.ModelPath(TokenizerFixture.Llama), Path.Combine(folder, HfLlamaTokenizerFolder.ModelFile));
        string output = Path.Combine(Folder("llama-gguf"), "llama.gguf");
        var (_, detected) = CheckpointConversion.Convert(folder, output, StorageType.F32);
        Assert.Contains(detected.Notes, n => n.Contains("LLaMA tokenizer") && n.Contains("embedded"));

        using (var file = GgufFile.Open(output))
            Assert.Equal(MusicGen.Assistant.Models.Llama.LlamaMetadata.Read(file).VocabSize, file.Metadata.GetStringArray(TokenizerKeys.Tokens).Count);
        var tokenizer = TokenizerFiles.LoadLlama(output);
        foreach (var c in TokenizerFixture.Cases(TokenizerFixture.Llama)) Assert.Equal(c.Ids, tokenizer.SentencePiece.Encode(c.Text!));
        // the generation loop's view of it: decoding and the newline it cuts replies at
        var decoder = tokenizer.AsTextDecoder();
        Assert.Equal(tokenizer.NewlineId, MusicGen.Assistant.Models.Llama.LlamaTextDecoders.NewlineId(decoder));
        var prompt = TokenizerFixture.M2UGenIds("prompt_input_ids");
        Assert.Equal(TokenizerFixture.M2UGenUtf8("prompt_text_utf8"), decoder.Decode(prompt[1..]));
    }

    /// <summary>A LLaMA folder: llama-bpe as tokenizer.model, M2UGen's added tokens in tokenizer_config.json.</summary>
    private string LlamaFolder(int? vocabSize, Func<int, int>? addedId = null)
    {
        string folder = Folder("llama" + Guid.NewGuid().ToString("N"));
        File.Copy(TokenizerFixture.ModelPath(TokenizerFixture.Llama), Path.Combine(folder, HfLlamaTokenizerFolder.ModelFile));
        var decoder = new JsonObject();
        foreach (var (id, token) in TokenizerFixture.M2UGenAddedTokens())
            decoder[(addedId?.Invoke(id) ?? id).ToString(System.Globalization.CultureInfo.InvariantCulture)] = new JsonObject { ["content"] = token, ["special"] = false };
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), new JsonObject { ["add_bos_token"] = true, ["added_tokens_decoder"] = decoder }.ToJsonString());
        var config = new JsonObject { ["model_type"] = "llama" };
        if (vocabSize is int size) config["vocab_size"] = size;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
        return folder;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(24)]
    public void A_llama_folder_embeds_tokenizer_model_with_its_added_tokens_padded_to_vocab_size(int padding)
    {
        int size = TokenizerFixture.VocabSize(TokenizerFixture.Llama) + TokenizerFixture.M2UGenAddedTokens().Count + padding;
        var found = CheckpointTokenizer.Find(LlamaFolder(size), "llama");
        Assert.NotNull(found);
        string gguf = Path.Combine(Folder("llama-out"), $"llama{padding}.gguf");
        GgufWriter.Write(gguf, found.Entries, []);

        var tokenizer = TokenizerFiles.LoadLlama(gguf);
        Assert.Equal(size, tokenizer.VocabSize);
        Assert.Equal(TokenizerFixture.M2UGenIds("aud_token_ids"), tokenizer.AddedTokenIds);
        foreach (var c in TokenizerFixture.M2UGenCases().Where(c => c.Text is not null))
            Assert.Equal(c.Ids, tokenizer.Encode(c.Text!, addSpecialTokens: false));
        Assert.Equal(TokenizerFixture.M2UGenIds("gen_text_prompt_ids"), tokenizer.Encode(TokenizerFixture.M2UGenUtf8("gen_text_prompt_text_utf8")));
    }

    [Fact]
    public void Llama_folder_problems_are_named()
    {
        var gap = Assert.Throws<ModelConfigException>(() => CheckpointTokenizer.Find(LlamaFolder(null, id => id + 1), "llama"));
        Assert.Contains("tokenizer_config.json", gap.Message);
        Assert.Contains("without gaps", gap.Message);

        var clash = Assert.Throws<ModelConfigException>(() => CheckpointTokenizer.Find(LlamaFolder(null, id => id - 100), "llama"));
        Assert.Contains("but tokenizer.model has", clash.Message);

        int tooSmall = TokenizerFixture.VocabSize(TokenizerFixture.Llama);
        var small = Assert.Throws<ArgumentOutOfRangeException>(() => CheckpointTokenizer.Find(LlamaFolder(tooSmall), "llama"));
        Assert.Contains("do not belong together", small.Message);

        Assert.Null(CheckpointTokenizer.Find(Folder("no-tokenizer"), "llama"));
    }
}
