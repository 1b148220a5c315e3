using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;
using static MusicGen.Assistant.Models.Tests.M2UGen.M2UGenLlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>The conversion plan of an M2UGen checkpoint's LLaMA: sizes from the shapes, names, mixed dtypes, errors.</summary>
public class M2UGenLlamaPlanTests
{
    [Fact]
    public void Sizes_vocabulary_and_aud_ids_come_from_the_checkpoint()
    {
        var set = First();
        using var checkpoint = Open(set, M2UGenSource.Safetensors);
        var plan = new M2UGenLlamaPlan(checkpoint, Settings(set));
        var config = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(set.ConfigPath))!["llama"]!;
        Assert.Equal(config["vocab_size"]!.GetValue<int>(), plan.Config.VocabSize);
        Assert.Equal(config["n_layers"]!.GetValue<int>(), plan.Config.BlockCount);
        Assert.Equal(config["n_heads"]!.GetValue<int>(), plan.Config.HeadCount);
        Assert.Equal(config["ffn_hidden_dim"]!.GetValue<int>(), plan.Config.FeedForwardLength);
        Assert.Equal(config["max_seq_len"]!.GetValue<int>(), plan.Config.ContextLength);
        Assert.Equal(Ints(set.Vector("aud_token_ids")), plan.AudioTokenIds);
        Assert.Equal(AdapterLayout.Head, plan.Injection.Layout);

        using var file = GgufFile.Open(Gguf(set));
        Assert.Equal("llama", file.Metadata.GetString("general.architecture"));
        Assert.Equal("head", file.Metadata.GetString(LlamaKeys.M2UGen.AdapterLayout));
        // bias tuning on wq, wo, w1, w2, w3 only; LoRA on all seven; a gate per layer
        Assert.True(file.ContainsTensor(LlamaKeys.Bias(0, LlamaKeys.Query)));
        Assert.False(file.ContainsTensor(LlamaKeys.Bias(0, LlamaKeys.Key)));
        Assert.True(file.ContainsTensor(LlamaKeys.Bias(0, LlamaKeys.Down)));
        foreach (var part in LlamaKeys.Projections) Assert.True(file.ContainsTensor(LlamaKeys.LoraA(0, part)), part);
        Assert.True(file.ContainsTensor(LlamaKeys.M2UGen.AdapterGate(0)));
    }

    [Fact]
    public void The_aud_embedding_rows_the_projector_adds_come_out_exactly()
    {
        // proj_aud_embeddings = tok_embeddings(aud_token_ids): the projector's second input
        var set = First();
        var expected = set.Vector("proj_aud_embeddings");
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var rows = model.Model.Embed(model.AudioTokenIds.ToArray());
        ToleranceAssert.Matches(expected, D(rows), [1, model.AudioTokenIds.Count, model.Config.EmbeddingLength]);
    }

    [Fact]
    public void Half_and_bfloat16_tensors_of_a_pth_convert_to_their_exact_values()
    {
        var set = First();
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-m2ugen-mixed-").FullName, "mixed.gguf");
        using (var checkpoint = PyTorchCheckpoint.Open(Path.Combine(set.Directory, "checkpoint_mixed.pth")))
            GgufConverter.Write(new M2UGenLlamaPlan(checkpoint, Settings(set)), path, StorageType.F32, "mixed");
        using var file = GgufFile.Open(path);
        Assert.Equal(set.Vector("ckpt_mixed_f16_as_f32").Values().Select(x => (float)x), file.ReadFloat32(LlamaKeys.Weight(0, LlamaKeys.Query)));
        Assert.Equal(set.Vector("ckpt_mixed_bf16_as_f32").Values().Select(x => (float)x), file.ReadFloat32(LlamaKeys.Weight(0, LlamaKeys.Gate)));
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var dropped = M2UGenLlamaCheckpointKeys.Weight(1, "w2");
        var dir = DerivedCheckpoints.Without("no-w2", dropped);
        using var checkpoint = Formats.Safetensors.SafetensorsCheckpoint.OpenDirectory(dir);
        var plan = new M2UGenLlamaPlan(checkpoint, Settings(First()));
        var e = Assert.Throws<ModelWeightsException>(() => GgufConverter.Write(plan, Path.Combine(dir, "x.gguf"), StorageType.F32, "x"));
        Assert.Contains(dropped, e.Message);
        Assert.Throws<ModelConfigException>(() => new M2UGenLlamaPlan(checkpoint, Settings(First()) with { Heads = 3 }));
    }
}
