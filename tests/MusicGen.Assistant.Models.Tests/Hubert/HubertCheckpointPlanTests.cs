using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>Conversion of a Hugging Face HuBERT / MERT checkpoint to our GGUF names, layouts and metadata.</summary>
public class HubertCheckpointPlanTests
{
    private static readonly FixtureSet Set = HubertFixtures.Tiny;

    [Fact]
    public void The_fixture_converts_to_every_expected_tensor_with_its_values()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        using var file = GgufFile.Open(HubertFixtures.Gguf(Set));
        var (config, preprocessing) = HubertMetadata.Read(file.Metadata);
        Assert.Equal(HubertConfig.FromHuggingFaceJson(File.ReadAllText(Set.ConfigPath), Set.ConfigPath), config);
        Assert.Equal(new HubertPreprocessing { SamplingRate = 24000, DoNormalize = true, ReturnAttentionMask = true }, preprocessing);
        Assert.Equal("hubert", file.Metadata.GetString("general.architecture"));

        var expected = new Dictionary<string, long[]>();
        for (var i = 0; i < 7; i++)
        {
            expected[HubertKeys.ConvWeight(i)] = [(i == 0 ? 1 : 16) * new[] { 10, 3, 3, 3, 3, 2, 2 }[i], 16];
            expected[HubertKeys.ConvBiasTensor(i)] = expected[HubertKeys.ConvNormWeight(i)] = expected[HubertKeys.ConvNormBias(i)] = [16];
        }
        expected[HubertKeys.FeatureProjectionNormWeight] = expected[HubertKeys.FeatureProjectionNormBias] = [16];
        expected[HubertKeys.FeatureProjectionWeight] = [16, 32];
        expected[HubertKeys.FeatureProjectionBias] = expected[HubertKeys.PositionalConvBias] = [32];
        expected[HubertKeys.PositionalConvWeight] = [16 * 8, 32];
        expected[HubertKeys.EncoderNormWeight] = expected[HubertKeys.EncoderNormBias] = [32];
        for (var i = 0; i < 2; i++)
        {
            foreach (var key in new Func<int, string, string>[] { HubertKeys.AttentionNorm, HubertKeys.FeedForwardNorm })
                expected[key(i, "weight")] = expected[key(i, "bias")] = [32];
            foreach (var key in new Func<int, string, string>[] { HubertKeys.Query, HubertKeys.Key, HubertKeys.Value, HubertKeys.Output })
            {
                expected[key(i, "weight")] = [32, 32];
                expected[key(i, "bias")] = [32];
            }
            expected[HubertKeys.Up(i, "weight")] = [32, 64];
            expected[HubertKeys.Up(i, "bias")] = [64];
            expected[HubertKeys.Down(i, "weight")] = [64, 32];
            expected[HubertKeys.Down(i, "bias")] = [32];
        }
        Assert.Equal(expected.Keys.Order(), file.Tensors.Select(t => t.Name).Order());
        foreach (var t in file.Tensors)
        {
            Assert.Equal(expected[t.Name], t.Ne);
            Assert.Equal(GgmlType.F32, t.Type);
        }
        // [out, in, k] and [out, in] row-major are {k·in, out} and {in, out} in ggml order as they are
        Assert.Equal(checkpoint.ReadFloat32("feature_extractor.conv_layers.3.conv.weight"), Floats(file, HubertKeys.ConvWeight(3)));
        Assert.Equal(checkpoint.ReadFloat32("encoder.layers.1.feed_forward.output_dense.weight"), Floats(file, HubertKeys.Down(1, "weight")));
        Assert.Equal(checkpoint.ReadFloat32("encoder.layers.0.attention.k_proj.bias"), Floats(file, HubertKeys.Key(0, "bias")));
        Assert.Equal(checkpoint.ReadFloat32("feature_projection.layer_norm.weight"), Floats(file, HubertKeys.FeatureProjectionNormWeight));
        AssertFolded(FoldedByHand(checkpoint), Floats(file, HubertKeys.PositionalConvWeight));
    }

    [Fact]
    public void The_converter_recognises_a_hubert_checkpoint_directory()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("mga-hubert-convert-").FullName, "hubert.gguf");
        var (result, detected) = CheckpointConversion.Convert(Set.Directory, path, StorageType.F32);
        Assert.Equal("hubert", detected.ModelType);
        Assert.IsType<HubertCheckpointPlan>(Assert.Single(detected.Plans));
        Assert.Empty(detected.Notes);
        using var converted = GgufFile.Open(result.Path);
        using var reference = GgufFile.Open(HubertFixtures.Gguf(Set));
        Assert.Equal(reference.Tensors.Select(t => t.Name), converted.Tensors.Select(t => t.Name));
        Assert.Equal(HubertMetadata.Read(reference.Metadata), HubertMetadata.Read(converted.Metadata));
    }

    [Fact]
    public void Both_weight_norm_spellings_and_a_plain_weight_convert_alike()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var folded = FoldedByHand(checkpoint);
        const string module = "encoder.pos_conv_embed.conv";
        var parametrized = Derived("parametrized", name => name switch
        {
            $"{module}.weight_g" => $"{module}.parametrizations.weight.original0",
            $"{module}.weight_v" => $"{module}.parametrizations.weight.original1",
            _ => name,
        });
        var plain = Derived("plain", name => name == $"{module}.weight_g" ? null : name, (name, bytes) =>
            name == $"{module}.weight_v" ? ($"{module}.weight", MemoryMarshal.AsBytes(folded.AsSpan()).ToArray()) : (name, bytes));
        foreach (var dir in new[] { parametrized, plain })
        {
            var gguf = Convert(dir);
            using var file = GgufFile.Open(gguf);
            AssertFolded(folded, Floats(file, HubertKeys.PositionalConvWeight));
        }
    }

    [Fact]
    public void A_prefixed_state_dict_converts_with_its_prefix()
    {
        // an M2UGen checkpoint holds the encoder under mert_model.
        var dir = Derived("prefixed", name => "mert_model." + name);
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var config = HubertConfig.FromHuggingFaceJson(File.ReadAllText(Set.ConfigPath), Set.ConfigPath);
        var plan = new HubertCheckpointPlan(new CheckpointReader(checkpoint), config, new HubertPreprocessing { SamplingRate = 24000 }, "mert_model.");
        var path = Path.Combine(dir, "out.gguf");
        GgufConverter.Write(plan, path, StorageType.F32, "test");
        using var converted = GgufFile.Open(path);
        using var reference = GgufFile.Open(HubertFixtures.Gguf(Set));
        Assert.Equal(reference.Tensors.Count, converted.Tensors.Count);
        Assert.Equal(Floats(reference, HubertKeys.Up(1, "weight")), Floats(converted, HubertKeys.Up(1, "weight")));
        Assert.Equal(Floats(reference, HubertKeys.PositionalConvWeight), Floats(converted, HubertKeys.PositionalConvWeight));
    }

    [Fact]
    public void Matrices_are_quantized_where_their_rows_are_whole_blocks_and_norms_stay_f32()
    {
        using var file = GgufFile.Open(HubertFixtures.Gguf(Set, StorageType.Q8_0));
        Assert.Equal(GgmlType.Q8_0, file.GetTensor(HubertKeys.Query(0, "weight")).Type);
        Assert.Equal(GgmlType.Q8_0, file.GetTensor(HubertKeys.Down(1, "weight")).Type);
        Assert.Equal(GgmlType.Q8_0, file.GetTensor(HubertKeys.PositionalConvWeight).Type);     // 16 taps · 8 = 128 per row
        Assert.Equal(GgmlType.F16, file.GetTensor(HubertKeys.ConvWeight(1)).Type);             // 3 · 16 = 48: not whole blocks
        Assert.Equal(GgmlType.F16, file.GetTensor(HubertKeys.FeatureProjectionWeight).Type);   // 16 inputs
        foreach (var name in new[] { HubertKeys.ConvBiasTensor(0), HubertKeys.ConvNormWeight(6), HubertKeys.EncoderNormBias, HubertKeys.Up(0, "bias") })
            Assert.Equal(GgmlType.F32, file.GetTensor(name).Type);
    }

    [Fact]
    public void A_missing_tensor_is_named_and_no_file_is_left()
    {
        var dir = Derived("missing", name => name == "encoder.layers.1.attention.k_proj.bias" ? null : name);
        var e = Assert.Throws<ModelWeightsException>(() => Convert(dir));
        Assert.Contains("missing tensor 'encoder.layers.1.attention.k_proj.bias' (expected shape [32])", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "out.gguf")));

        var noWeight = Derived("no-pos-weight", name => name.StartsWith("encoder.pos_conv_embed.conv.weight", StringComparison.Ordinal) ? null : name);
        e = Assert.Throws<ModelWeightsException>(() => Convert(noWeight));
        Assert.Contains("missing weight of 'encoder.pos_conv_embed.conv' (looked for weight_g/weight_v, parametrizations.weight.original0/1 and weight)", e.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named()
    {
        var dir = Derived("bad-shape", name => name, halve: name => name == "encoder.layers.0.feed_forward.intermediate_dense.weight");
        var e = Assert.Throws<ModelWeightsException>(() => Convert(dir));
        Assert.Contains("tensor 'encoder.layers.0.feed_forward.intermediate_dense.weight' has shape [64, 16], expected [64, 32]", e.Message);
    }

    [Fact]
    public void A_directory_without_its_preprocessor_config_is_refused()
    {
        var dir = Derived("no-preprocessor", name => name);
        File.Delete(Path.Combine(dir, "preprocessor_config.json"));
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var e = Assert.Throws<ModelConfigException>(() => HubertCheckpointPlan.FromDirectory(dir, new CheckpointReader(checkpoint)));
        Assert.Contains("no preprocessor_config.json", e.Message);
    }

    private static string Convert(string dir)
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var path = Path.Combine(dir, "out.gguf");
        GgufConverter.Write(HubertCheckpointPlan.FromDirectory(dir, new CheckpointReader(checkpoint)), path, StorageType.F32, "test");
        return path;
    }

    // W[o, i, k] = g[k] · v[o, i, k] / ||v[:, :, k]||, computed here independently of the plan
    private static float[] FoldedByHand(SafetensorsCheckpoint checkpoint)
    {
        var g = checkpoint.ReadFloat32("encoder.pos_conv_embed.conv.weight_g");
        var v = checkpoint.ReadFloat32("encoder.pos_conv_embed.conv.weight_v");
        var shape = checkpoint.Get("encoder.pos_conv_embed.conv.weight_v").Shape;
        int rows = (int)(shape[0] * shape[1]), taps = (int)shape[2];
        Assert.Equal(taps, g.Length);
        var w = new float[v.Length];
        for (var k = 0; k < taps; k++)
        {
            var norm = Math.Sqrt(Enumerable.Range(0, rows).Sum(r => (double)v[r * taps + k] * v[r * taps + k]));
            for (var r = 0; r < rows; r++) w[r * taps + k] = (float)(v[r * taps + k] * (g[k] / norm));
        }
        return w;
    }

    // the plan rounds g/||v|| to float before scaling v, as torch does; the hand fold keeps it in double: 1 ulp apart
    private static void AssertFolded(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++) Assert.InRange(Math.Abs(expected[i] - actual[i]), 0, 1e-6 * Math.Abs(expected[i]) + 1e-9);
    }

    private static float[] Floats(GgufFile file, string name) => MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(name)).ToArray();

    /// <summary>
    /// A copy of the fixture checkpoint with tensors renamed (null drops one), optionally replaced, and where asked the
    /// last dimension halved, next to the same config.json and preprocessor_config.json.
    /// </summary>
    private static string Derived(string name, Func<string, string?> rename, Func<string, byte[], (string, byte[])>? replace = null,
        Func<string, bool>? halve = null)
    {
        var dir = Directory.CreateTempSubdirectory($"mga-hubert-{name}-").FullName;
        File.Copy(Set.ConfigPath, Path.Combine(dir, "config.json"));
        File.Copy(Path.Combine(Set.Directory, "preprocessor_config.json"), Path.Combine(dir, "preprocessor_config.json"));
        using var source = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var tensors = new List<(string, SafetensorsDType, long[], ReadOnlyMemory<byte>)>();
        foreach (var t in source.Tensors)
        {
            if (rename(t.Name) is not { } newName) continue;
            var bytes = source.GetBytes(t.Name).ToArray();
            var shape = t.Shape;
            if (replace is not null) (newName, bytes) = replace(newName, bytes);
            if (halve?.Invoke(t.Name) == true)
            {
                shape = [.. t.Shape[..^1], t.Shape[^1] / 2];
                bytes = bytes[..(bytes.Length / 2)];
            }
            tensors.Add((newName, t.DType, shape, bytes));
        }
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return dir;
    }
}
