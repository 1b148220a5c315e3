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
        var c = HubertConfig.FromHuggingFaceJson(File.ReadAllText(Set.ConfigPath), Set.ConfigPath);
        Assert.Equal(c, config);
        var pre = Path.Combine(Set.Directory, "preprocessor_config.json");
        Assert.Equal(HubertPreprocessing.FromHuggingFaceJson(File.ReadAllText(pre), pre), preprocessing);
        Assert.Equal("hubert", file.Metadata.GetString("general.architecture"));

        // the shapes the fixture's config.json implies, in ggml order
        long h = c.HiddenSize, ff = c.IntermediateSize, conv = c.ConvChannels;
        var expected = new Dictionary<string, long[]>();
        for (var i = 0; i < c.ConvLayers; i++)
        {
            expected[HubertKeys.ConvWeight(i)] = [(i == 0 ? 1 : c.ConvDim[i - 1]) * (long)c.ConvKernel[i], c.ConvDim[i]];
            expected[HubertKeys.ConvBiasTensor(i)] = expected[HubertKeys.ConvNormWeight(i)] = expected[HubertKeys.ConvNormBias(i)] = [c.ConvDim[i]];
        }
        expected[HubertKeys.FeatureProjectionNormWeight] = expected[HubertKeys.FeatureProjectionNormBias] = [conv];
        expected[HubertKeys.FeatureProjectionWeight] = [conv, h];
        expected[HubertKeys.FeatureProjectionBias] = expected[HubertKeys.PositionalConvBias] = [h];
        expected[HubertKeys.PositionalConvWeight] = [c.NumConvPosEmbeddings * (h / c.NumConvPosEmbeddingGroups), h];
        expected[HubertKeys.EncoderNormWeight] = expected[HubertKeys.EncoderNormBias] = [h];
        for (var i = 0; i < c.NumHiddenLayers; i++)
        {
            foreach (var key in new Func<int, string, string>[] { HubertKeys.AttentionNorm, HubertKeys.FeedForwardNorm })
                expected[key(i, "weight")] = expected[key(i, "bias")] = [h];
            foreach (var key in new Func<int, string, string>[] { HubertKeys.Query, HubertKeys.Key, HubertKeys.Value, HubertKeys.Output })
            {
                expected[key(i, "weight")] = [h, h];
                expected[key(i, "bias")] = [h];
            }
            expected[HubertKeys.Up(i, "weight")] = [h, ff];
            expected[HubertKeys.Up(i, "bias")] = [ff];
            expected[HubertKeys.Down(i, "weight")] = [ff, h];
            expected[HubertKeys.Down(i, "bias")] = [h];
        }
        Assert.Equal(expected.Keys.Order(), file.Tensors.Select(t => t.Name).Order());
        foreach (var t in file.Tensors)
        {
            Assert.Equal(expected[t.Name], t.Ne);
            Assert.Equal(GgmlType.F32, t.Type);
        }
        // [out, in, k] and [out, in] row-major are {k·in, out} and {in, out} in ggml order as they are
        var lastConv = c.ConvLayers - 1;
        var lastLayer = c.NumHiddenLayers - 1;
        Assert.Equal(checkpoint.ReadFloat32($"feature_extractor.conv_layers.{lastConv}.conv.weight"), Floats(file, HubertKeys.ConvWeight(lastConv)));
        Assert.Equal(checkpoint.ReadFloat32($"encoder.layers.{lastLayer}.feed_forward.output_dense.weight"), Floats(file, HubertKeys.Down(lastLayer, "weight")));
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
        var c = HubertConfig.FromHuggingFaceJson(File.ReadAllText(Set.ConfigPath), Set.ConfigPath);
        // a matrix is q8_0 where its rows (ne[0]) are whole 32-value blocks, else f16
        var matrices = new[]
        {
            HubertKeys.Query(0, "weight"), HubertKeys.Down(c.NumHiddenLayers - 1, "weight"), HubertKeys.PositionalConvWeight,
            HubertKeys.ConvWeight(Math.Min(1, c.ConvLayers - 1)), HubertKeys.FeatureProjectionWeight,
        };
        foreach (var name in matrices)
        {
            var t = file.GetTensor(name);
            Assert.Equal(t.Ne[0] % 32 == 0 ? GgmlType.Q8_0 : GgmlType.F16, t.Type);
        }
        Assert.Contains(matrices, name => file.GetTensor(name).Type == GgmlType.Q8_0);
        foreach (var name in new[] { HubertKeys.ConvBiasTensor(0), HubertKeys.ConvNormWeight(c.ConvLayers - 1), HubertKeys.EncoderNormBias, HubertKeys.Up(0, "bias") })
            Assert.Equal(GgmlType.F32, file.GetTensor(name).Type);
    }

    [Fact]
    public void A_missing_tensor_is_named_and_no_file_is_left()
    {
        var hidden = HubertConfig.FromHuggingFaceJson(File.ReadAllText(Set.ConfigPath), Set.ConfigPath).HiddenSize;
        var dir = Derived("missing", name => name == "encoder.layers.1.attention.k_proj.bias" ? null : name);
        var e = Assert.Throws<ModelWeightsException>(() => Convert(dir));
        Assert.Contains($"missing tensor 'encoder.layers.1.attention.k_proj.bias' (expected shape [{hidden}])", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "out.gguf")));

        var noWeight = Derived("no-pos-weight", name => name.StartsWith("encoder.pos_conv_embed.conv.weight", StringComparison.Ordinal) ? null : name);
        e = Assert.Throws<ModelWeightsException>(() => Convert(noWeight));
        Assert.Contains("missing weight of 'encoder.pos_conv_embed.conv' (looked for weight_g/weight_v, parametrizations.weight.original0/1 and weight)", e.Message);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named()
    {
        var dir = Derived("bad-shape", name => name, halve: name => name == "encoder.layers.0.feed_forward.intermediate_dense.weight");
        var c = HubertConfig.FromHuggingFaceJson(File.ReadAllText(Set.ConfigPath), Set.ConfigPath);
        var e = Assert.Throws<ModelWeightsException>(() => Convert(dir));
        Assert.Contains($"tensor 'encoder.layers.0.feed_forward.intermediate_dense.weight' has shape [{c.IntermediateSize}, {c.HiddenSize / 2}], " +
                        $"expected [{c.IntermediateSize}, {c.HiddenSize}]", e.Message);
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
