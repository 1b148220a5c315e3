using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;
using static MusicGen.Assistant.Models.Tests.Llama.LlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.Llama;

/// <summary>
/// Loading GGUF files as llama.cpp writes them: sizes checked against the tensors before allocation, types ggml
/// cannot compute refused by name, tied heads, the metadata types llama.cpp uses.
/// </summary>
public class LlamaLoadingTests
{
    private static readonly LlamaConfig Small = new()
    {
        VocabSize = 96, ContextLength = 32, EmbeddingLength = 32, BlockCount = 2, FeedForwardLength = 64,
        HeadCount = 4, HeadCountKv = 2, HeadDim = 8, RopeDimensionCount = 8, RmsNormEps = 1e-5f,
    };

    private static readonly Lazy<string> Random = new(() => Write(new LlamaRandomPlan(Small, seed: 2), "random"));

    [Fact]
    public void Converted_metadata_uses_llama_cpp_keys_and_types()
    {
        using var file = GgufFile.Open(Gguf(First()));
        var m = file.Metadata;
        Assert.Equal("llama", m.GetString("general.architecture"));
        Assert.Equal(0u, m.GetUInt32("general.file_type")); // LLAMA_FTYPE_ALL_F32, a uint32 as llama.cpp reads it
        foreach (var key in new[] { LlamaKeys.ContextLength, LlamaKeys.EmbeddingLength, LlamaKeys.BlockCount, LlamaKeys.FeedForwardLength,
                     LlamaKeys.RopeDimensionCount, LlamaKeys.HeadCount, LlamaKeys.HeadCountKv, LlamaKeys.VocabSize })
            Assert.Equal(GgufValueType.UINT32, m.Get(key).Type);
        Assert.Equal(GgufValueType.FLOAT32, m.Get(LlamaKeys.RopeFreqBase).Type);
        Assert.Equal(GgufValueType.FLOAT32, m.Get(LlamaKeys.RmsNormEpsilon).Type);
        var config = LlamaMetadata.Read(file);
        Assert.Equal(config.VocabSize, (int)file.GetTensor(LlamaKeys.TokenEmbedding).Ne[1]);
    }

    [Theory]
    [InlineData(GgmlType.I32)]
    [InlineData(GgmlType.Q8_1)]
    public void A_weight_type_ggml_cannot_multiply_is_refused_by_name(GgmlType type)
    {
        var name = LlamaKeys.Weight(1, LlamaKeys.Query);
        var info = GgmlTypeInfo.Get(type);
        var path = GgufEdits.Rewrite(Random.Value, $"type-{info.Name}", t => t.Name != name ? t
            : t with { Type = type, Bytes = new byte[info.TensorByteSize(t.Ne)] });
        using var backend = Cpu();
        var e = Assert.Throws<ModelWeightsException>(() => LlamaModel.Load(path, backend));
        Assert.Contains(name, e.Message);
        Assert.Contains(info.Name, e.Message);
    }

    [Fact]
    public void A_missing_tensor_and_a_size_disagreeing_with_the_metadata_are_named()
    {
        var dropped = LlamaKeys.Weight(1, LlamaKeys.Down);
        using var backend = Cpu();
        var missing = Assert.Throws<ModelWeightsException>(() => LlamaModel.Load(GgufEdits.Rewrite(Random.Value, "missing", t => t.Name == dropped ? null : t), backend));
        Assert.Contains(dropped, missing.Message);

        var wrong = GgufEdits.Rewrite(Random.Value, "ffn", t => t, (k, v) => k == LlamaKeys.FeedForwardLength ? (GgufValue)(uint)(Small.FeedForwardLength * 2) : v);
        var shape = Assert.Throws<ModelWeightsException>(() => LlamaModel.Load(wrong, backend));
        Assert.Contains(LlamaKeys.Weight(0, LlamaKeys.Gate), shape.Message);

        // no llama.vocab_size and no tokenizer: the embedding's rows say it, as llama.cpp falls back
        var noVocab = GgufEdits.Rewrite(Random.Value, "vocab", t => t, (k, v) => k == LlamaKeys.VocabSize ? null : v);
        using (var file = GgufFile.Open(noVocab)) Assert.Equal(Small.VocabSize, LlamaMetadata.Read(file).VocabSize);
    }

    [Fact]
    public void A_vocabulary_size_disagreeing_with_the_tokenizer_is_refused()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-llama-vocab-").FullName, "v.gguf");
        var plan = new WithTokenizer(new LlamaRandomPlan(Small, seed: 2), Small.VocabSize + 1);
        GgufConverter.Write(plan, path, StorageType.F32, "random");
        using var file = GgufFile.Open(path);
        var e = Assert.Throws<ModelConfigException>(() => LlamaMetadata.Read(file));
        Assert.Contains(LlamaKeys.TokenizerTokens, e.Message);
    }

    [Fact]
    public void Another_architecture_is_refused()
    {
        var path = GgufEdits.Rewrite(Random.Value, "arch", t => t,
            (k, v) => k == "general.architecture" ? "gpt2" : k.StartsWith("llama.", StringComparison.Ordinal) ? null : v);
        using var file = GgufFile.Open(path);
        var e = Assert.Throws<ModelConfigException>(() => LlamaMetadata.Read(file));
        Assert.Contains("gpt2", e.Message);
    }

    [Fact]
    public void Without_an_output_tensor_the_head_is_tied_to_the_embedding()
    {
        var tied = Write(new LlamaRandomPlan(Small, seed: 2, tiedOutput: true), "tied");
        // the same model with the embedding written out again as output.weight
        using var source = GgufFile.Open(tied);
        var embedding = source.GetTensor(LlamaKeys.TokenEmbedding);
        var untied = GgufEdits.Rewrite(tied, "untied", t => t, null,
            new GgufTensorCopy(LlamaKeys.Output, embedding.Type, embedding.Ne, source.GetTensorBytes(embedding).ToArray()));
        int[] ids = [1, 5, 9, 3, 7];
        using var backend = Cpu();
        using var a = LlamaModel.Load(tied, backend);
        using var b = LlamaModel.Load(untied, backend);
        Assert.True(a.Weights.OutputTied);
        Assert.False(b.Weights.OutputTied);
        Assert.Equal(b.Forward(ids).Logits!, a.Forward(ids).Logits!);
    }

    private static string Write(IConversionPlan plan, string name)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-llama-load-").FullName, name + ".gguf");
        GgufConverter.Write(plan, path, StorageType.F32, name);
        return path;
    }

    // a plan with a tokenizer token list of a chosen length beside the LLaMA metadata
    private sealed class WithTokenizer(IConversionPlan inner, int tokens) : IConversionPlan
    {
        public string Architecture => inner.Architecture;
        public IReadOnlyList<PlannedTensor> Tensors => inner.Tensors;

        public void WriteMetadata(GgufWriter writer)
        {
            inner.WriteMetadata(writer);
            writer.SetMetadata(LlamaKeys.TokenizerTokens, GgufArray.Of(Enumerable.Range(0, tokens).Select(i => $"t{i}").ToArray()));
        }
    }
}
