using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>Conversion of a MusicGen checkpoint's text encoder and projection to our GGUF names and layouts.</summary>
public class T5CheckpointPlanTests
{
    private static readonly FixtureSet Set = FixtureSet.ByName("musicgen-tiny");

    [Fact]
    public void A_musicgen_checkpoint_converts_its_text_encoder_and_projection()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var detected = CheckpointConversion.Detect(Set.Directory, checkpoint);
        Assert.Contains(detected.Plans, p => p is T5CheckpointPlan);
        Assert.DoesNotContain(detected.Notes, n => n.Contains("text encoder") && n.Contains("not converted"));

        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Set));
        Assert.Equal(T5Config.FromHuggingFaceJson(File.ReadAllText(Set.ConfigPath), Set.ConfigPath), T5Metadata.Read(file.Metadata));
        var expected = new Dictionary<string, long[]>
        {
            [T5Keys.TokenEmbedding] = [32, 512],
            [T5Keys.RelativeAttentionBias] = [4, 32],
            [T5Keys.FinalNorm] = [32],
            [T5Keys.ProjectionWeight] = [32, 48],
            [T5Keys.ProjectionBias] = [48],
        };
        for (var i = 0; i < 2; i++)
        {
            expected[T5Keys.AttentionNorm(i)] = [32];
            expected[T5Keys.Query(i)] = expected[T5Keys.Key(i)] = expected[T5Keys.Value(i)] = expected[T5Keys.Output(i)] = [32, 32];
            expected[T5Keys.FeedForwardNorm(i)] = [32];
            expected[T5Keys.Up(i)] = [32, 64];
            expected[T5Keys.Down(i)] = [64, 32];
        }
        var t5Tensors = file.Tensors.Where(t => t.Name.StartsWith("t5.", StringComparison.Ordinal) || t.Name.Contains("enc_to_dec")).ToList();
        Assert.Equal(expected.Keys.Order(), t5Tensors.Select(t => t.Name).Order());
        foreach (var t in t5Tensors)
        {
            Assert.Equal(expected[t.Name], t.Ne);
            Assert.Equal(GgmlType.F32, t.Type);
        }
        // Linear weights are stored as they are: PyTorch [out, in] row-major is ggml {in, out}
        Assert.Equal(checkpoint.ReadFloat32("enc_to_dec_proj.weight"), Floats(file, T5Keys.ProjectionWeight));
        Assert.Equal(checkpoint.ReadFloat32("text_encoder.encoder.block.1.layer.1.DenseReluDense.wo.weight"), Floats(file, T5Keys.Down(1)));
        Assert.Equal(checkpoint.ReadFloat32("text_encoder.shared.weight"), Floats(file, T5Keys.TokenEmbedding));
        Assert.Equal(checkpoint.ReadFloat32("text_encoder.encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight"),
            Floats(file, T5Keys.RelativeAttentionBias));
    }

    [Fact]
    public void Matrices_are_quantized_and_norms_and_biases_stay_f32()
    {
        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Set, StorageType.Q8_0));
        foreach (var name in new[] { T5Keys.TokenEmbedding, T5Keys.Query(0), T5Keys.Output(1), T5Keys.Up(0), T5Keys.Down(1), T5Keys.ProjectionWeight })
            Assert.Equal(GgmlType.Q8_0, file.GetTensor(name).Type);
        foreach (var name in new[] { T5Keys.AttentionNorm(0), T5Keys.FeedForwardNorm(1), T5Keys.FinalNorm, T5Keys.RelativeAttentionBias, T5Keys.ProjectionBias })
            Assert.Equal(GgmlType.F32, file.GetTensor(name).Type);
    }

    [Fact]
    public void A_tied_embedding_saved_only_as_embed_tokens_is_used()
    {
        var dir = Derived("tied", name => name == "text_encoder.shared.weight" ? "text_encoder.encoder.embed_tokens.weight" : name);
        var gguf = Path.Combine(dir, "out.gguf");
        CheckpointConversion.Convert(dir, gguf, StorageType.F32);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var encoder = T5Encoder.Load(gguf, backend);
        var vector = Set.Vector("text_encoder_last_hidden_state");
        var ids = T5Reference.Ints(new NDArray(Set.Vector("text_input_ids").Shape, Set.Vector("text_input_ids").Values()));
        var mask = T5Reference.Ints(new NDArray(Set.Vector("text_attention_mask").Shape, Set.Vector("text_attention_mask").Values()));
        ToleranceAssert.Matches(vector, encoder.Encode(ids, mask).Select(x => (double)x).ToArray(), vector.Shape);
    }

    [Fact]
    public void A_missing_projection_is_refused_when_the_widths_differ()
    {
        var dir = Derived("no-projection", name => name.StartsWith("enc_to_dec_proj.", StringComparison.Ordinal) ? null : name);
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(dir);
        var e = Assert.Throws<ModelWeightsException>(() => T5CheckpointPlan.ForMusicGen(new CheckpointReader(checkpoint),
            File.ReadAllText(Path.Combine(dir, "config.json")), "config.json"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        var (dModel, hidden) = (json["text_encoder"]!["d_model"]!.GetValue<int>(), json["decoder"]!["hidden_size"]!.GetValue<int>());
        Assert.Contains($"missing tensor 'enc_to_dec_proj.weight' (text_encoder d_model {dModel} differs from the decoder hidden_size {hidden}", e.Message);

        // equal widths: transformers builds no projection, and none is planned
        json["decoder"]!["hidden_size"] = dModel;
        var plan = T5CheckpointPlan.ForMusicGen(new CheckpointReader(checkpoint), json.ToJsonString(), "config.json");
        Assert.DoesNotContain(plan.Tensors, t => t.Name.Contains("enc_to_dec_proj"));
        // embedding, relative bias, final norm + 8 per block (no gate)
        Assert.Equal(3 + 8 * json["text_encoder"]!["num_layers"]!.GetValue<int>(), plan.Tensors.Count);
    }

    [Fact]
    public void A_tensor_of_the_wrong_shape_is_named()
    {
        var dir = Derived("bad-shape", name => name, name => name == "text_encoder.encoder.block.1.layer.0.SelfAttention.k.weight");
        var e = Assert.ThrowsAny<Exception>(() => CheckpointConversion.Convert(dir, Path.Combine(dir, "out.gguf"), StorageType.F32));
        var t5 = T5Config.FromHuggingFaceJson(File.ReadAllText(Path.Combine(dir, "config.json")), "config.json");
        Assert.Contains($"'text_encoder.encoder.block.1.layer.0.SelfAttention.k.weight' has shape [{t5.InnerDim}, {t5.DModel / 2}], " +
                        $"expected [{t5.InnerDim}, {t5.DModel}]", e.Message);
        Assert.False(File.Exists(Path.Combine(dir, "out.gguf")));
    }

    private static float[] Floats(GgufFile file, string name) => MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(name)).ToArray();

    /// <summary>
    /// A copy of the fixture checkpoint with tensors renamed (null drops one) and, where asked, the last dimension
    /// halved, next to the same config.json.
    /// </summary>
    private static string Derived(string name, Func<string, string?> rename, Func<string, bool>? halve = null)
    {
        var dir = Directory.CreateTempSubdirectory($"mga-t5-{name}-").FullName;
        File.Copy(Set.ConfigPath, Path.Combine(dir, "config.json"));
        using var source = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
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
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return dir;
    }
}
