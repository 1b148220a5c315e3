using System.Buffers.Binary;
using System.Text;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Tokenizers;
using K = MusicGen.Assistant.Models.Tokenizers.TokenizerKeys;

namespace MusicGen.Assistant.Models.Tests.Tokenizers;

/// <summary>Broken tokenizer metadata fails with a message naming the file and the key, before anything is built.</summary>
public sealed class GgufTokenizerErrorTests : IDisposable
{
    private readonly TokenizerGgufFiles _files = new();

    public void Dispose() => _files.Dispose();

    private GgufFormatException Fails(Action<Dictionary<string, GgufValue>> breakIt, Func<string, object>? load = null)
    {
        var entries = TokenizerGgufWriter.Entries(TokenizerGgufFiles.M2UGen()).ToDictionary(e => e.Key, e => e.Value);
        breakIt(entries);
        string path = _files.Write(entries);
        var e = Assert.Throws<GgufFormatException>(() => (load ?? (p => TokenizerFiles.LoadLlama(p)))(path));
        Assert.Contains(path, e.Message);
        return e;
    }

    private static GgufArray Shorter(GgufValue array) => array.AsArray().ElementType switch
    {
        GgufValueType.FLOAT32 => GgufArray.Of(array.AsArray().AsSpan<float>()[..^1].ToArray()),
        GgufValueType.INT32 => GgufArray.Of(array.AsArray().AsSpan<int>()[..^1].ToArray()),
        _ => GgufArray.Of(array.AsArray().AsStrings().SkipLast(1).ToArray()),
    };

    [Theory]
    [InlineData(K.Scores)]
    [InlineData(K.TokenTypes)]
    public void Arrays_of_different_lengths_are_named(string key)
    {
        var e = Fails(m => m[key] = Shorter(m[key]));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains("entries but", e.Message);
    }

    [Fact]
    public void An_unknown_model_name_is_named()
    {
        var e = Fails(m => m[K.Model] = "gpt2");
        Assert.Contains($"'{K.Model}'", e.Message);
        Assert.Contains("\"gpt2\"", e.Message);
    }

    [Theory]
    [InlineData(K.BosId)]
    [InlineData(K.EosId)]
    [InlineData(K.UnknownId)]
    [InlineData(K.PaddingId)]
    public void An_id_outside_the_vocabulary_is_named(string key)
    {
        int size = TokenizerGgufFiles.M2UGen().VocabSize;
        var e = Fails(m => m[key] = (uint)size);
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains($"is {size}, outside the vocabulary of {size} tokens", e.Message);
    }

    [Theory]
    [InlineData(K.Scores)]
    [InlineData(K.TokenTypes)]
    public void Missing_scores_or_types_are_named(string key)
    {
        var e = Fails(m => m.Remove(key));
        Assert.Contains($"'{key}'", e.Message);
        Assert.Contains("is missing", e.Message);
    }

    [Fact]
    public void A_token_type_llama_cpp_does_not_define_is_named()
    {
        var e = Fails(m =>
        {
            var types = m[K.TokenTypes].AsArray().AsSpan<int>().ToArray();
            types[5] = 9;
            m[K.TokenTypes] = GgufArray.Of(types);
        });
        Assert.Contains($"'{K.TokenTypes}'", e.Message);
        Assert.Contains("entry 5 is 9", e.Message);
    }

    [Fact]
    public void Wrongly_typed_values_are_named()
    {
        Assert.Contains($"'{K.Scores}'", Fails(m => m[K.Scores] = GgufArray.Of(m[K.Tokens].AsArray().AsStrings().ToArray())).Message);
        Assert.Contains($"'{K.AddBos}'", Fails(m => m[K.AddBos] = 1u).Message);
        Assert.Contains($"'{K.BosId}'", Fails(m => m[K.BosId] = 1.5f).Message);
    }

    [Fact]
    public void Empty_and_duplicate_tokens_are_named()
    {
        var empty = Fails(m =>
        {
            var tokens = m[K.Tokens].AsArray().AsStrings().ToArray();
            tokens[7] = "";
            m[K.Tokens] = GgufArray.Of(tokens);
        });
        Assert.Contains($"'{K.Tokens}'", empty.Message);
        Assert.Contains("entry 7 is an empty string", empty.Message);

        var duplicate = Fails(m =>
        {
            var tokens = m[K.Tokens].AsArray().AsStrings().ToArray();
            tokens[^1] = tokens[^2];
            m[K.Tokens] = GgufArray.Of(tokens);
        });
        Assert.Contains(K.Tokens, duplicate.Message);
        Assert.Contains("defined twice", duplicate.Message);
    }

    [Fact]
    public void An_unknown_id_that_is_not_the_unknown_token_is_named()
    {
        var e = Fails(m => m[K.UnknownId] = 5u);
        Assert.Contains($"'{K.UnknownId}'", e.Message);
        Assert.Contains("UNKNOWN token is", e.Message);
    }

    [Fact]
    public void A_gguf_without_a_tokenizer_says_so()
    {
        string path = _files.Write([new("general.architecture", "t5")]);
        var e = Assert.Throws<GgufFormatException>(() => TokenizerFiles.LoadSentencePiece(path));
        Assert.Contains($"'{K.Model}'", e.Message);
        Assert.Contains("carries no tokenizer", e.Message);
        Assert.False(TokenizerFiles.HasEmbeddedTokenizer(path));
    }

    [Fact]
    public void A_huge_declared_token_count_is_refused_before_allocating()
    {
        // GGUF v3 header with one key: tokenizer.ggml.tokens = ARRAY of STRING claiming 2^40 entries, then nothing
        var bytes = new List<byte>();
        void U32(uint v) { var b = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(b, v); bytes.AddRange(b); }
        void U64(ulong v) { var b = new byte[8]; BinaryPrimitives.WriteUInt64LittleEndian(b, v); bytes.AddRange(b); }
        bytes.AddRange("GGUF"u8.ToArray());
        U32(3);
        U64(0);
        U64(1);
        U64((ulong)Encoding.UTF8.GetByteCount(K.Tokens));
        bytes.AddRange(Encoding.UTF8.GetBytes(K.Tokens));
        U32((uint)GgufValueType.ARRAY);
        U32((uint)GgufValueType.STRING);
        U64(1UL << 40);
        string path = Path.Combine(_files.Folder, "huge.gguf");
        File.WriteAllBytes(path, bytes.ToArray());
        var e = Assert.Throws<GgufFormatException>(() => TokenizerFiles.LoadSentencePiece(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Llama_cpp_defaults_apply_when_the_special_keys_are_absent()
    {
        string[] specials = [K.BosId, K.EosId, K.PaddingId, K.UnknownId, K.AddBos, K.AddEos, K.AddSpacePrefix];
        var t5 = TokenizerGgufWriter.Entries(TokenizerGgufFiles.SentencePiece(Testing.TokenizerFixture.T5)).Where(e => !specials.Contains(e.Key));
        using (var file = GgufFile.Open(_files.Write(t5)))
        {
            var contents = GgufTokenizer.Read(file.Metadata);
            // llama-vocab.cpp, tokenizer model "t5": no bos, eos 1, unk 2, pad 0, add_eos, no space prefix
            Assert.Equal((-1, 1, 2, 0, false, true, false),
                (contents.Options.BosId, contents.Options.EosId, contents.Options.UnkId, contents.Options.PadId,
                 contents.Options.AddBos, contents.Options.AddEos, contents.Model.NormalizerSpec.AddDummyPrefix));
        }
        var llama = TokenizerGgufWriter.Entries(TokenizerGgufFiles.M2UGen()).Where(e => !specials.Contains(e.Key));
        using (var file = GgufFile.Open(_files.Write(llama)))
        {
            var contents = GgufTokenizer.Read(file.Metadata);
            // model "llama": bos 1, eos 2, unk 0, no pad, add_bos, space prefix
            Assert.Equal((1, 2, 0, -1, true, false, true),
                (contents.Options.BosId, contents.Options.EosId, contents.Options.UnkId, contents.Options.PadId,
                 contents.Options.AddBos, contents.Options.AddEos, contents.Model.NormalizerSpec.AddDummyPrefix));
        }
    }
}
