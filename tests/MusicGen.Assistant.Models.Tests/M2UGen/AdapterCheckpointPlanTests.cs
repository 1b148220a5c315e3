using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>Conversion of an M2UGen checkpoint's understanding adapters to one adapters GGUF.</summary>
public class AdapterCheckpointPlanTests
{
    private static FixtureSet Set => DerivedCheckpoints.Set;

    [Fact]
    public void An_m2ugen_checkpoint_converts_its_three_adapters_with_sizes_from_the_tensors()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var detected = CheckpointConversion.Detect(Set.Directory, checkpoint);
        var plan = Assert.IsType<AdapterCheckpointPlan>(Assert.Single(detected.Plans));
        Assert.Contains(detected.Notes, n => n.Contains("LLaMA") && n.Contains("not converted"));

        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Set));
        Assert.Equal(AdapterKeys.Architecture, file.Metadata.GetString("general.architecture"));
        var config = AdapterMetadata.Read(file.Metadata);
        Assert.Equal([M2UGenModality.Music, M2UGenModality.Image, M2UGenModality.Video], config.Modalities.Select(c => c.Modality));
        Assert.Equal((3, 32, 64, 64, 3), Sizes(config[M2UGenModality.Music]));
        Assert.Equal((17, 32, 64, 64, 3), Sizes(config[M2UGenModality.Image]));
        Assert.Equal((65, 32, 64, 64, 3), Sizes(config[M2UGenModality.Video]));
        foreach (var c in config.Modalities)
        {
            Assert.Equal(1e-6, c.NormEpsilon);
            Assert.Equal(plan.Config[c.Modality], c);
        }

        // 4 + 4 per block for each modality, nothing else (the LLaMA and the projector are not adapters)
        Assert.Equal(3 * (4 + 4 * 3), file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.StartsWith(AdapterKeys.TensorPrefix, t.Name));
        Assert.Equal([65L], file.GetTensor(AdapterKeys.AggWeight(M2UGenModality.Video)).Ne);
        Assert.Equal([32L, 64], file.GetTensor(AdapterKeys.ProjWeight(M2UGenModality.Image)).Ne);
        Assert.Equal([64L, 64], file.GetTensor(AdapterKeys.Down(M2UGenModality.Music, 2)).Ne);
        Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));

        // values as they are: [out, in] row-major is ggml {in, out}; the [1, C, 1] kernel is its C weights
        Assert.Equal(checkpoint.ReadFloat32("iu_vivit_agg.weight"), Floats(file, AdapterKeys.AggWeight(M2UGenModality.Video)));
        Assert.Equal(checkpoint.ReadFloat32("mu_mert_agg.bias"), Floats(file, AdapterKeys.AggBias(M2UGenModality.Music)));
        Assert.Equal(checkpoint.ReadFloat32("iu_vit_proj.weight"), Floats(file, AdapterKeys.ProjWeight(M2UGenModality.Image)));
        Assert.Equal(checkpoint.ReadFloat32("mu_mert_f1_3.weight"), Floats(file, AdapterKeys.Gate(M2UGenModality.Music, 2)));
        Assert.Equal(checkpoint.ReadFloat32("mu_mert_f2_1.weight"), Floats(file, AdapterKeys.Down(M2UGenModality.Music, 0)));
        Assert.Equal(checkpoint.ReadFloat32("iu_vivit_f3_2.weight"), Floats(file, AdapterKeys.Up(M2UGenModality.Video, 1)));
        Assert.Equal(checkpoint.ReadFloat32("iu_vit_norm_3.weight"), Floats(file, AdapterKeys.Norm(M2UGenModality.Image, 2)));
    }

    [Theory]
    [InlineData(StorageType.F16, GgmlType.F16)]
    [InlineData(StorageType.Q8_0, GgmlType.Q8_0)]
    public void Matrices_take_the_storage_type_and_the_rest_stays_f32(StorageType storage, GgmlType matrices)
    {
        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Set, storage));
        foreach (var m in M2UGenModalities.All)
        {
            Assert.Equal(matrices, file.GetTensor(AdapterKeys.ProjWeight(m)).Type);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(matrices, file.GetTensor(AdapterKeys.Gate(m, i)).Type);
                Assert.Equal(matrices, file.GetTensor(AdapterKeys.Up(m, i)).Type);
                Assert.Equal(matrices, file.GetTensor(AdapterKeys.Down(m, i)).Type);
                Assert.Equal(GgmlType.F32, file.GetTensor(AdapterKeys.Norm(m, i)).Type);
            }
            foreach (var name in new[] { AdapterKeys.AggWeight(m), AdapterKeys.AggBias(m), AdapterKeys.ProjBias(m) })
                Assert.Equal(GgmlType.F32, file.GetTensor(name).Type);
        }
    }

    [Fact]
    public void A_checkpoint_with_only_some_adapters_converts_those()
    {
        var dir = DerivedCheckpoints.Make("music-only", (n, s, b) => n.StartsWith("iu_", StringComparison.Ordinal) ? null : (n, s, b));
        var gguf = Path.Combine(dir, "adapters.gguf");
        CheckpointConversion.Convert(dir, gguf, StorageType.F32);
        using var file = GgufFile.Open(gguf);
        Assert.Equal([M2UGenModality.Music], AdapterMetadata.Read(file.Metadata).Modalities.Select(c => c.Modality));
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        var e = Assert.Throws<ModelConfigException>(() => M2UGenAdapters.Load(file, backend, [M2UGenModality.Image]));
        Assert.Contains("no image adapter in this GGUF (it holds: music)", e.Message);
    }

    [Fact]
    public void A_ddp_prefixed_state_dict_is_read_through_its_prefix()
    {
        var dir = DerivedCheckpoints.Make("module-prefix", (n, s, b) => ("module." + n, s, b));
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var plan = AdapterCheckpointPlan.ForCheckpoint(checkpoint);
        Assert.Equal(3, plan.Config.Modalities.Count);
        Assert.Equal("module.iu_vit_f2_3.weight", plan.Tensors.Single(t => t.Name == AdapterKeys.Down(M2UGenModality.Image, 2)).Source);
        using var original = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        Assert.Equal(original.ReadFloat32("iu_vit_f2_3.weight"), plan.Tensors.Single(t => t.Name == AdapterKeys.Down(M2UGenModality.Image, 2)).Produce());
    }

    /// <summary>A tensor's shape in the fixture checkpoint, as text ("[64, 64]").</summary>
    private static string ShapeOf(string name)
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        return $"[{string.Join(", ", checkpoint.Get(name).Shape)}]";
    }

    [Fact]
    public void A_missing_block_tensor_is_named()
    {
        var dir = DerivedCheckpoints.Without("no-f2", "iu_vit_f2_3.weight");
        var output = Path.Combine(dir, "out.gguf");
        var e = Assert.Throws<ModelWeightsException>(() => CheckpointConversion.Convert(dir, output, StorageType.F32));
        Assert.Contains($"missing tensor 'iu_vit_f2_3.weight' (expected shape {ShapeOf("iu_vit_f2_3.weight")})", e.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void An_adapter_without_its_aggregation_is_refused()
    {
        var dir = DerivedCheckpoints.Without("no-agg", "mu_mert_agg.weight");
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var e = Assert.Throws<ModelWeightsException>(() => AdapterCheckpointPlan.ForCheckpoint(checkpoint));
        Assert.Contains("missing tensor 'mu_mert_agg.weight' (expected shape [1, C, 1]); the music adapter is incomplete", e.Message);
    }

    [Fact]
    public void A_misshapen_aggregation_kernel_is_named()
    {
        var dir = DerivedCheckpoints.Make("agg-k3", (n, s, b) => n == "iu_vivit_agg.weight" ? (n, [1, 13, 5], b) : (n, s, b));
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var e = Assert.Throws<ModelWeightsException>(() => AdapterCheckpointPlan.ForCheckpoint(checkpoint));
        Assert.Contains("'iu_vivit_agg.weight' has shape [1, 13, 5], expected [1, C, 1]", e.Message);
    }

    [Fact]
    public void A_block_matrix_of_the_wrong_shape_is_named()
    {
        // the last dimension halved
        var dir = DerivedCheckpoints.Make("bad-f3", (n, s, b) => n == "mu_mert_f3_2.weight" ? (n, [s[0], s[1] / 2], b[..(b.Length / 2)]) : (n, s, b));
        var e = Assert.Throws<ModelWeightsException>(() => CheckpointConversion.Convert(dir, Path.Combine(dir, "out.gguf"), StorageType.F32));
        var shape = ShapeOf("mu_mert_f3_2.weight");
        var rows = shape[1..shape.IndexOf(',')];
        var columns = int.Parse(shape[(shape.IndexOf(',') + 2)..^1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains($"'mu_mert_f3_2.weight' has shape [{rows}, {columns / 2}], expected {shape}", e.Message);
    }

    [Fact]
    public void A_layer_norm_bridge_is_refused()
    {
        var dir = DerivedCheckpoints.Make("legacy-bridge", (n, s, b) => (n, s, b), null, ("iu_vit_norm_2.bias", [64], new byte[64 * 4]));
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var e = Assert.Throws<ModelConfigException>(() => AdapterCheckpointPlan.ForCheckpoint(checkpoint));
        Assert.Contains("'iu_vit_norm_2.bias' exists", e.Message);
        Assert.Contains("legacy_bridge=True", e.Message);
    }

    [Fact]
    public void A_config_json_that_disagrees_with_the_tensors_is_named()
    {
        var json = JsonNode.Parse(File.ReadAllText(Set.ConfigPath))!;
        json["adapters"]!["video"]!["n_tokens"] = 3137;
        var dir = DerivedCheckpoints.Make("config-mismatch", (n, s, b) => (n, s, b), json.ToJsonString());
        var e = Assert.Throws<ModelConfigException>(() => CheckpointConversion.Convert(dir, Path.Combine(dir, "out.gguf"), StorageType.F32));
        var tokens = ShapeOf("iu_vivit_agg.weight").Split(", ")[1]; // Conv1d(C, 1, 1): [1, C, 1]
        Assert.Contains($"adapters.video.n_tokens is 3137, but the checkpoint's video adapter tensors give {tokens}", e.Message);
    }

    [Fact]
    public void The_config_json_norm_eps_is_carried_into_the_gguf()
    {
        var json = JsonNode.Parse(File.ReadAllText(Set.ConfigPath))!;
        json["adapters"]!["adapter_norm_eps"] = 1e-5;
        var dir = DerivedCheckpoints.Make("config-eps", (n, s, b) => (n, s, b), json.ToJsonString());
        var gguf = Path.Combine(dir, "out.gguf");
        CheckpointConversion.Convert(dir, gguf, StorageType.F32);
        using var file = GgufFile.Open(gguf);
        Assert.All(AdapterMetadata.Read(file.Metadata).Modalities, c => Assert.Equal(1e-5, c.NormEpsilon));
    }

    private static (int, int, int, int, int) Sizes(ModalityAdapterConfig c) => (c.Channels, c.InWidth, c.Dim, c.HiddenDim, c.Blocks);

    private static float[] Floats(GgufFile file, string name) => MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(name)).ToArray();
}
