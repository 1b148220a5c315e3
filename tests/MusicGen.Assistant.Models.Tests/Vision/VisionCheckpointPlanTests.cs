using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Vision;

/// <summary>Conversion of Hugging Face ViT / ViViT checkpoints to our GGUF names and layouts.</summary>
public class VisionCheckpointPlanTests
{
    public static TheoryData<string> Sets() => ["vit-tiny", "vivit-tiny"];

    [Theory]
    [MemberData(nameof(Sets))]
    public void Every_tensor_is_converted_with_its_values_unchanged(string setName)
    {
        var set = FixtureSet.ByName(setName);
        var family = VisionFixtures.FamilyOf(set)!.Value;
        var k = VisionKeys.For(family);
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
        var detected = CheckpointConversion.Detect(set.Directory, checkpoint);
        Assert.IsType<VisionCheckpointPlan>(Assert.Single(detected.Plans));
        Assert.Empty(detected.Notes);

        using var file = GgufFile.Open(ConvertedFixtures.Gguf(set));
        var config = VisionMetadata.Read(file.Metadata, family);
        // 40 state-dict tensors, all converted: 4 embedding + 16 per block + 2 final norm + 2 pooler
        Assert.Equal(checkpoint.Tensors.Count(), file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.StartsWith(k.Prefix, t.Name));
        Assert.All(file.Tensors, t => Assert.Equal(GgmlType.F32, t.Type));
        long hidden = config.HiddenSize, ff = config.IntermediateSize;
        Assert.Equal([config.PatchVectorLength, hidden], file.GetTensor(k.PatchWeight).Ne);
        Assert.Equal([hidden, config.SequenceLength], file.GetTensor(k.PositionEmbedding).Ne);
        Assert.Equal([hidden], file.GetTensor(k.ClassEmbedding).Ne);
        var last = config.NumHiddenLayers - 1;
        Assert.Equal([hidden, ff], file.GetTensor(k.Block(last, VisionKeys.Up) + ".weight").Ne);
        Assert.Equal([ff, hidden], file.GetTensor(k.Block(last, VisionKeys.Down) + ".weight").Ne);

        // the kernel [D, C, (T,) H, W] and every Linear [out, in] keep their row-major bytes
        var pairs = new (string Gguf, string Hf)[]
        {
            (k.PatchWeight, "embeddings.patch_embeddings.projection.weight"),
            (k.PositionEmbedding, "embeddings.position_embeddings"),
            (k.ClassEmbedding, "embeddings.cls_token"),
            (k.Block(0, VisionKeys.Query) + ".weight", "encoder.layer.0.attention.attention.query.weight"),
            (k.Block(1, VisionKeys.Value) + ".bias", "encoder.layer.1.attention.attention.value.bias"),
            (k.Block(1, VisionKeys.AttentionOutput) + ".weight", "encoder.layer.1.attention.output.dense.weight"),
            (k.Block(0, VisionKeys.AfterNorm) + ".weight", "encoder.layer.0.layernorm_after.weight"),
            (k.Block(0, VisionKeys.Down) + ".weight", "encoder.layer.0.output.dense.weight"),
            (k.FinalNormBias, "layernorm.bias"),
            (k.PoolerWeight, "pooler.dense.weight"),
        };
        foreach (var (gguf, hf) in pairs)
            Assert.Equal(checkpoint.ReadFloat32(hf), MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(gguf)).ToArray());
    }

    [Fact]
    public void A_classification_checkpoint_converts_its_encoder_and_leaves_out_the_head()
    {
        // ViTForImageClassification: keys under "vit.", a classifier, no pooler (add_pooling_layer=False)
        var set = FixtureSet.ByName("vit-tiny");
        var hidden = set.Config["hidden_size"]!.GetValue<long>();
        var dir = Derived(set, "classifier", name => name.StartsWith("pooler.", StringComparison.Ordinal) ? null : "vit." + name,
            extra: [("classifier.weight", [10, hidden]), ("classifier.bias", [10])]);
        var gguf = Path.Combine(dir, "out.gguf");
        var (result, _) = CheckpointConversion.Convert(dir, gguf, StorageType.F32);
        // every tensor of the encoder, none of the head: the fixture's less its pooler's weight and bias
        Assert.Equal(set.SavedTensorCount - 2, result.TensorCount);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = VisionEncoder.Load(gguf, VisionFamily.ViT, backend);
        Assert.False(encoder.HasPooler);
        var expected = set.Vector("last_hidden_state");
        var actual = encoder.Encode(VisionFixtures.Pixels(set.Vector("pixel_values")));
        ToleranceAssert.Matches(expected, actual.LastHiddenState.Select(x => (double)x).ToArray(), expected.Shape);
        Assert.Null(actual.PoolerOutput);
    }

    [Fact]
    public void A_missing_tensor_is_named()
    {
        var set = FixtureSet.ByName("vivit-tiny");
        var dir = Derived(set, "missing", name => name == "encoder.layer.1.attention.attention.key.bias" ? null : name);
        var e = Assert.ThrowsAny<Exception>(() => CheckpointConversion.Convert(dir, Path.Combine(dir, "out.gguf"), StorageType.F32));
        Assert.Contains($"missing tensor 'encoder.layer.1.attention.attention.key.bias' (expected shape [{set.Config["hidden_size"]}])", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "out.gguf")));
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named()
    {
        var set = FixtureSet.ByName("vivit-tiny");
        var dir = Derived(set, "bad-shape", name => name, halve: name => name == "embeddings.position_embeddings");
        var e = Assert.ThrowsAny<Exception>(() => CheckpointConversion.Convert(dir, Path.Combine(dir, "out.gguf"), StorageType.F32));
        var tokens = set.Vector("last_hidden_state").Shape[1];
        var hidden = set.Config["hidden_size"]!.GetValue<long>();
        Assert.Contains($"'embeddings.position_embeddings' has shape [1, {tokens}, {hidden / 2}], expected [1, {tokens}, {hidden}]", e.Message);
    }

    [Fact]
    public void A_checkpoint_without_encoder_tensors_says_where_it_looked()
    {
        var set = FixtureSet.ByName("vit-tiny");
        var dir = Derived(set, "renamed", name => "model." + name);
        var e = Assert.Throws<ModelWeightsException>(() => CheckpointConversion.Convert(dir, Path.Combine(dir, "out.gguf"), StorageType.F32));
        Assert.Contains("no ViT encoder tensors (looked for 'embeddings.cls_token' and 'vit.embeddings.cls_token')", e.Message);
    }

    /// <summary>
    /// A copy of a fixture checkpoint with tensors renamed (null drops one), the last dimension of some halved and
    /// extra zero tensors added, next to the same config.json.
    /// </summary>
    private static string Derived(FixtureSet set, string name, Func<string, string?> rename, Func<string, bool>? halve = null,
        (string Name, long[] Shape)[]? extra = null)
    {
        var dir = Directory.CreateTempSubdirectory($"mga-vision-{name}-").FullName;
        File.Copy(set.ConfigPath, Path.Combine(dir, "config.json"));
        using var source = SafetensorsCheckpoint.OpenDirectory(set.Directory);
        var tensors = new List<(string, SafetensorsDType, long[], ReadOnlyMemory<byte>)>();
        foreach (var t in source.Tensors)
        {
            if (rename(t.Name) is not { } newName) continue;
            var bytes = source.GetBytes(t.Name).ToArray();
            var shape = t.Shape;
            if (halve?.Invoke(t.Name) == true)
            {
                shape = [.. t.Shape[..^1], t.Shape[^1] / 2];
                bytes = bytes[..(bytes.Length / 2)];
            }
            tensors.Add((newName, t.DType, shape, bytes));
        }
        foreach (var (extraName, shape) in extra ?? [])
            tensors.Add((extraName, SafetensorsDType.F32, shape, new byte[4 * shape.Aggregate(1L, (a, b) => a * b)]));
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return dir;
    }
}
