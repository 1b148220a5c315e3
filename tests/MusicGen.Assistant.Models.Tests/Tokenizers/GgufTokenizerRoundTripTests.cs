using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;
using K = MusicGen.Assistant.Models.Tokenizers.TokenizerKeys;

namespace MusicGen.Assistant.Models.Tests.Tokenizers;

/// <summary>
/// A tokenizer written as tokenizer.ggml.* metadata into a GGUF file and read back gives the ids, pieces and text of
/// the tokenizer it was made from on every fixture case: the T5 unigram, the LLaMA BPE, with and without added tokens.
/// </summary>
[Trait("Category", "Parity")]
public sealed class GgufTokenizerRoundTripTests : IDisposable
{
    private readonly TokenizerGgufFiles _files = new();

    public void Dispose() => _files.Dispose();

    public static TheoryData<string> Models => new(TokenizerFixture.T5, TokenizerFixture.Llama);

    [Theory]
    [MemberData(nameof(Models))]
    public void SentencePiece_model_round_trips_on_every_case(string model)
    {
        var original = TokenizerGgufFiles.SentencePiece(model);
        using var file = GgufFile.Open(_files.Write(TokenizerGgufWriter.Entries(original)));
        var reread = GgufTokenizer.LoadSentencePiece(file.Metadata);

        Assert.Equal(original.Pieces, reread.Pieces);
        Assert.Equal((original.UnkId, original.BosId, original.EosId, original.PadId), (reread.UnkId, reread.BosId, reread.EosId, reread.PadId));
        Assert.Equal(original.ModelType, reread.ModelType);
        foreach (var c in TokenizerFixture.Cases(model))
        {
            Assert.Equal(c.Ids, reread.Encode(c.Text!));
            Assert.Equal(c.Pieces, reread.EncodePieces(c.Text!));
            Assert.Equal(c.Decoded, reread.Decode(c.Ids));
        }
    }

    [Fact]
    public void Keys_and_types_are_llama_cpps()
    {
        var t5 = TokenizerGgufWriter.Entries(TokenizerGgufFiles.SentencePiece(TokenizerFixture.T5)).ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(K.T5Model, t5[K.Model].AsString());
        Assert.Equal(GgufValueType.STRING, t5[K.Tokens].AsArray().ElementType);
        Assert.Equal(GgufValueType.FLOAT32, t5[K.Scores].AsArray().ElementType);
        Assert.Equal(GgufValueType.INT32, t5[K.TokenTypes].AsArray().ElementType);
        Assert.Equal(GgufValueType.UINT8, t5[K.PrecompiledCharsmap].AsArray().ElementType);
        Assert.Equal(GgufValueType.UINT32, t5[K.EosId].Type);
        Assert.False(t5.ContainsKey(K.BosId)); // the T5 vocabulary has no bos
        Assert.True(t5[K.AddEos].AsBool());
        Assert.True(t5[K.RemoveExtraWhitespaces].AsBool());

        var llama = TokenizerGgufWriter.Entries(TokenizerGgufFiles.M2UGen()).ToDictionary(e => e.Key, e => e.Value);
        Assert.Equal(K.LlamaModel, llama[K.Model].AsString());
        Assert.True(llama[K.AddBos].AsBool());
        Assert.True(llama[K.AddSpacePrefix].AsBool());
        Assert.False(llama.ContainsKey(K.PaddingId));
        Assert.False(llama.ContainsKey(K.PrecompiledCharsmap)); // identity normaliser
        var types = llama[K.TokenTypes].AsArray().AsSpan<int>().ToArray();
        foreach (var (id, _) in TokenizerFixture.M2UGenAddedTokens()) Assert.Equal((int)K.TokenType.UserDefined, types[id]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(92)]
    public void Llama_tokenizer_with_added_tokens_round_trips_on_every_case(int padding)
    {
        var original = TokenizerGgufFiles.M2UGen();
        using var file = GgufFile.Open(_files.Write(TokenizerGgufWriter.Entries(original, original.VocabSize + padding)));
        var reread = GgufTokenizer.LoadLlama(file.Metadata);

        Assert.Equal(original.VocabSize + padding, reread.VocabSize);
        Assert.Equal(original.AddedTokenIds, reread.AddedTokenIds);
        Assert.Equal((original.BosId, original.EosId, original.UnkId, original.PadId, original.AddBos, original.AddEos, original.NewlineId),
            (reread.BosId, reread.EosId, reread.UnkId, reread.PadId, reread.AddBos, reread.AddEos, reread.NewlineId));
        foreach (var c in TokenizerFixture.M2UGenCases())
        {
            if (c.Text is not null)
            {
                Assert.Equal(c.Ids, reread.Encode(c.Text, addSpecialTokens: false));
                if (c.Pieces is not null) Assert.Equal(c.Pieces, reread.Tokenize(c.Text));
            }
            Assert.Equal(c.Decoded, reread.Decode(c.Ids));
        }
        // the raw sentencepiece layer still gives sentencepiece's ids for the llama-bpe cases
        foreach (var c in TokenizerFixture.Cases(TokenizerFixture.Llama))
            Assert.Equal(c.Ids, reread.SentencePiece.Encode(c.Text!));
        Assert.Equal(TokenizerFixture.M2UGenIds("prompt_input_ids"), reread.Encode(TokenizerFixture.M2UGenUtf8("prompt_text_utf8")));
    }

    [Fact]
    public void Padding_entries_are_unused_and_named_as_llama_cpp_names_them()
    {
        var original = TokenizerGgufFiles.M2UGen();
        var entries = TokenizerGgufWriter.Entries(original, original.VocabSize + 2).ToDictionary(e => e.Key, e => e.Value);
        var tokens = entries[K.Tokens].AsArray().AsStrings();
        Assert.Equal($"[PAD{original.VocabSize + 1}]", tokens[^1]);
        Assert.Equal((int)K.TokenType.Unused, entries[K.TokenTypes].AsArray().AsSpan<int>()[^1]);
        Assert.Throws<ArgumentOutOfRangeException>(() => TokenizerGgufWriter.Entries(original, original.VocabSize - 1));
    }

    [Fact]
    public void A_model_file_and_its_gguf_load_through_the_same_entry_point()
    {
        string gguf = _files.Write(TokenizerGgufWriter.Entries(TokenizerGgufFiles.SentencePiece(TokenizerFixture.T5)));
        var fromGguf = TokenizerFiles.LoadSentencePiece(gguf);
        var fromModel = TokenizerFiles.LoadSentencePiece(TokenizerFixture.ModelPath(TokenizerFixture.T5));
        foreach (var c in TokenizerFixture.Cases(TokenizerFixture.T5)) Assert.Equal(fromModel.Encode(c.Text!), fromGguf.Encode(c.Text!));
        Assert.True(TokenizerFiles.HasEmbeddedTokenizer(gguf));
        Assert.False(TokenizerFiles.HasEmbeddedTokenizer(TokenizerFixture.ModelPath(TokenizerFixture.T5)));

        string llama = _files.Write(TokenizerGgufWriter.Entries(TokenizerGgufFiles.M2UGen()));
        Assert.Equal(TokenizerFixture.M2UGenIds("aud_token_ids"), TokenizerFiles.LoadLlama(llama).AddedTokenIds);
        Assert.Throws<ArgumentException>(() => TokenizerFiles.LoadLlama(llama, ["[X]"]));
    }
}
