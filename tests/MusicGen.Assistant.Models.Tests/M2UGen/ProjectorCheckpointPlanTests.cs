using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;
using C = MusicGen.Assistant.Models.M2UGen.ProjectorCheckpointKeys;
using K = MusicGen.Assistant.Models.M2UGen.ProjectorKeys;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>Conversion of an M2UGen checkpoint's output projector: sizes, the in_proj split, values, errors.</summary>
public class ProjectorCheckpointPlanTests
{
    private static FixtureSet Set => DerivedCheckpoints.Set;

    [Fact]
    public void Sizes_come_from_the_tensors_and_agree_with_the_config_json()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var plan = ProjectorCheckpointPlan.ForCheckpoint(checkpoint, File.ReadAllText(Set.ConfigPath), Set.ConfigPath);
        var p = JsonNode.Parse(File.ReadAllText(Set.ConfigPath))!["projector"]!;
        int I(string key) => p[key]!.GetValue<int>();
        var c = plan.Config;
        Assert.Equal((I("in_dim"), I("d_model"), I("n_heads"), I("num_encoder_layers"), I("num_decoder_layers"), I("dim_feedforward")),
            (c.InDim, c.DModel, c.Heads, c.EncoderLayers, c.DecoderLayers, c.FeedForwardDim));
        Assert.Equal((I("num_input_tokens"), I("num_output_tokens"), I("out_dim")), (c.InputTokens, c.OutputTokens, c.OutDim));
        Assert.Equal(p["layer_norm_eps"]!.GetValue<double>(), c.LayerNormEps);
        Assert.Equal(ProjectorOutputScale.UndoTrainingTarget, c.OutputScale);

        // without a config.json: the same sizes, nn.Transformer's head count of projector.py
        var bare = ProjectorCheckpointPlan.ForCheckpoint(checkpoint).Config;
        Assert.Equal(c with { Heads = ProjectorConfig.DefaultHeads }, bare);
    }

    [Fact]
    public void Every_tensor_is_the_checkpoints_and_the_packed_in_proj_splits_into_q_k_v()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        using var file = GgufFile.Open(ProjectorFixtures.Gguf(Set));
        var c = ProjectorMetadata.Read(file.Metadata);
        int d = c.DModel;
        float[] Gguf(string name) => file.ReadFloat32(name);
        float[] Torch(string name) => checkpoint.ReadFloat32(name);
        float[] Part(string name, int part, int size) => Torch(name).AsSpan(part * size, size).ToArray();

        Assert.Equal(Torch(C.FcWeight), Gguf(K.Fc + ".weight"));
        Assert.Equal(Torch(C.OutputWeight), Gguf(K.Output + ".weight"));
        Assert.Equal(Torch(C.QueryEmbeddings), Gguf(K.QueryEmbeddings));
        Assert.Equal([(long)d, c.OutputTokens], file.GetTensor(K.QueryEmbeddings).Ne);
        Assert.Equal([(long)c.InDim, d], file.GetTensor(K.Fc + ".weight").Ne);
        for (var i = 0; i < c.EncoderLayers; i++)
        {
            var attn = C.EncoderLayer(i, C.SelfAttention);
            foreach (var (part, name) in new[] { (0, K.AttentionQuery), (1, K.AttentionKey), (2, K.AttentionValue) })
            {
                Assert.Equal(Part(attn + ".in_proj_weight", part, d * d), Gguf(K.EncoderBlock(i, name) + ".weight"));
                Assert.Equal(Part(attn + ".in_proj_bias", part, d), Gguf(K.EncoderBlock(i, name) + ".bias"));
            }
            Assert.Equal(Torch(attn + ".out_proj.weight"), Gguf(K.EncoderBlock(i, K.AttentionOutput) + ".weight"));
            Assert.Equal(Torch(C.EncoderLayer(i, "linear2.bias")), Gguf(K.EncoderBlock(i, K.FeedForwardDown) + ".bias"));
            Assert.Equal(Torch(C.EncoderLayer(i, "norm2.weight")), Gguf(K.EncoderBlock(i, K.FeedForwardNorm) + ".weight"));
        }
        for (var i = 0; i < c.DecoderLayers; i++)
        {
            var cross = C.DecoderLayer(i, C.CrossAttention);
            Assert.Equal(Part(cross + ".in_proj_weight", 1, d * d), Gguf(K.DecoderBlock(i, K.CrossKey) + ".weight"));
            Assert.Equal(Part(cross + ".in_proj_bias", 2, d), Gguf(K.DecoderBlock(i, K.CrossValue) + ".bias"));
            Assert.Equal(Torch(C.DecoderLayer(i, "norm3.bias")), Gguf(K.DecoderBlock(i, K.FeedForwardNorm) + ".bias"));
            Assert.Equal(Torch(C.DecoderLayer(i, "linear1.weight")), Gguf(K.DecoderBlock(i, K.FeedForwardUp) + ".weight"));
        }
        // every projector tensor of the checkpoint went somewhere: 3 GGUF tensors per packed in_proj
        var packed = checkpoint.Names.Count(n => n.StartsWith(C.Prefix, StringComparison.Ordinal) && n.Contains(".in_proj_"));
        var all = checkpoint.Names.Count(n => n.StartsWith(C.Prefix, StringComparison.Ordinal));
        Assert.Equal(all + 2 * packed, file.Tensors.Count);
    }

    [Fact]
    public void The_pth_and_the_safetensors_checkpoint_convert_to_the_same_bytes()
    {
        var dir = Directory.CreateTempSubdirectory("mga-projector-pth-").FullName;
        using (var pth = PyTorchCheckpoint.Open(Path.Combine(Set.Directory, "checkpoint.pth")))
            GgufConverter.Write(ProjectorCheckpointPlan.ForCheckpoint(pth, File.ReadAllText(Set.ConfigPath)), Path.Combine(dir, "p.gguf"), StorageType.F32, "pth");
        using var a = GgufFile.Open(Path.Combine(dir, "p.gguf"));
        using var b = GgufFile.Open(ProjectorFixtures.Gguf(Set));
        Assert.Equal(b.Tensors.Select(t => t.Name), a.Tensors.Select(t => t.Name));
        foreach (var t in b.Tensors) Assert.True(b.GetTensorBytes(t).SequenceEqual(a.GetTensorBytes(t.Name)), t.Name);
    }

    [Theory]
    [InlineData("output_projector.tfm.decoder.layers.1.multihead_attn.in_proj_bias")]
    [InlineData("output_projector.tfm.encoder.norm.weight")]
    [InlineData("output_projector.model.bias")]
    public void A_missing_tensor_is_named_when_it_is_converted(string dropped)
    {
        var dir = DerivedCheckpoints.Without("proj-missing", dropped);
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var plan = ProjectorCheckpointPlan.ForCheckpoint(checkpoint);
        var e = Assert.Throws<ModelWeightsException>(() => GgufConverter.Write(plan, Path.Combine(dir, "p.gguf"), StorageType.F32, "t"));
        Assert.Contains($"missing tensor '{dropped}'", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "p.gguf")));
    }

    [Theory]
    [InlineData("output_projector.query_embs", "missing tensor 'output_projector.query_embs'")]
    [InlineData("output_projector.tfm.decoder.layers.0.self_attn.in_proj_weight", "no decoder layer")]
    public void A_projector_without_its_shape_defining_tensors_is_refused(string dropped, string expected)
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(DerivedCheckpoints.Without("proj-shape", dropped));
        Assert.Contains(expected, Assert.Throws<ModelWeightsException>(() => ProjectorCheckpointPlan.ForCheckpoint(checkpoint)).Message);
    }

    [Fact]
    public void A_misshapen_query_table_is_refused_naming_the_tensor()
    {
        var dir = DerivedCheckpoints.Make("proj-queries", (n, s, b) => n == C.QueryEmbeddings ? (n, [s[1], s[2]], b) : (n, s, b));
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var e = Assert.Throws<ModelWeightsException>(() => ProjectorCheckpointPlan.ForCheckpoint(checkpoint));
        Assert.Contains($"tensor '{C.QueryEmbeddings}' has shape", e.Message);
    }

    [Theory]
    [InlineData("out_dim", "99", "projector.out_dim is 99, but the checkpoint's output_projector tensors give")]
    [InlineData("norm_first", "true", "post-LN")]
    [InlineData("activation", "\"gelu\"", "only nn.Transformer's default \"relu\"")]
    [InlineData("n_heads", "5", "does not divide d_model")]
    public void A_config_json_that_disagrees_is_refused_naming_the_field(string field, string value, string expected)
    {
        var json = JsonNode.Parse(File.ReadAllText(Set.ConfigPath))!.AsObject();
        json["projector"]![field] = JsonNode.Parse(value);
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var e = Assert.Throws<ModelConfigException>(() => ProjectorCheckpointPlan.ForCheckpoint(checkpoint, json.ToJsonString(), "config.json"));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void A_gguf_without_projector_metadata_says_so()
    {
        using var adapters = GgufFile.Open(Encodec.ConvertedFixtures.Gguf(Set));
        var e = Assert.Throws<ModelConfigException>(() => ProjectorMetadata.Read(adapters.Metadata));
        Assert.Contains("no M2UGen output projector in this GGUF", e.Message);
    }

    [Fact]
    public void Matrices_take_the_storage_type_and_the_rest_stays_f32()
    {
        using var file = GgufFile.Open(ProjectorFixtures.Gguf(Set, StorageType.F16));
        Assert.Equal(Native.GgmlType.F16, GgmlTypeOf(file, K.EncoderBlock(0, K.AttentionQuery) + ".weight"));
        Assert.Equal(Native.GgmlType.F16, GgmlTypeOf(file, K.Output + ".weight"));
        Assert.Equal(Native.GgmlType.F32, GgmlTypeOf(file, K.QueryEmbeddings));
        Assert.Equal(Native.GgmlType.F32, GgmlTypeOf(file, K.DecoderBlock(0, K.CrossNorm) + ".weight"));
        Assert.Equal(Native.GgmlType.F32, GgmlTypeOf(file, K.Fc + ".bias"));
    }

    private static Native.GgmlType GgmlTypeOf(GgufFile file, string name) => file.GetTensor(name).Type;
}
