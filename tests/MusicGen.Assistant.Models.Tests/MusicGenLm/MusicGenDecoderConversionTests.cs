using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

public class MusicGenDecoderConversionTests
{
    private static FixtureSet Tiny => FixtureSet.ByName("musicgen-tiny");

    [Fact]
    public void A_musicgen_checkpoint_converts_its_codec_and_its_decoder()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Tiny.Directory);
        var detected = CheckpointConversion.Detect(Tiny.Directory, checkpoint);
        Assert.Contains(detected.Plans, p => p.Architecture == MusicGenDecoderKeys.Architecture);
        var plan = detected.Plans.OfType<MusicGenDecoderCheckpointPlan>().Single();
        // 4 embeddings + 2 x (3 norms x 2 + 8 projections + 2 ffn) + final norm x 2 + 4 heads
        Assert.Equal(4 + 2 * 16 + 2 + 4, plan.Tensors.Count);
        // every decoder tensor of the checkpoint is used except the sinusoidal table, which is recomputed
        var used = plan.Tensors.Select(t => t.Source).ToHashSet();
        var decoderTensors = checkpoint.Tensors.Select(t => t.Name).Where(n => n.StartsWith("decoder.")).ToList();
        Assert.Equal(["decoder.model.decoder.embed_positions.weights"], decoderTensors.Where(n => !used.Contains(n)));
    }

    [Fact]
    public void The_converted_file_carries_the_config()
    {
        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Tiny));
        Assert.Equal(MusicGenFixtures.Config(Tiny), MusicGenDecoderMetadata.Read(file.Metadata));
        Assert.True(file.ContainsTensor(MusicGenDecoderKeys.LmHead(3)));
        Assert.False(file.ContainsTensor(MusicGenDecoderKeys.LmHead(4)));
        var stereo = FixtureSet.ByName("musicgen-stereo-tiny");
        using var stereoFile = GgufFile.Open(ConvertedFixtures.Gguf(stereo));
        Assert.Equal(MusicGenFixtures.Config(stereo), MusicGenDecoderMetadata.Read(stereoFile.Metadata));
    }

    [Fact]
    public void The_computed_position_table_equals_the_one_transformers_saved()
    {
        var config = MusicGenFixtures.Config(Tiny);
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Tiny.Directory);
        var saved = checkpoint.ReadFloat32("decoder.model.decoder.embed_positions.weights");
        var computed = SinusoidalPositions.Table(config.MaxPositionEmbeddings, config.HiddenSize);
        Assert.Equal(saved.Length, computed.Length);
        // PyTorch's vectorized float32 exp and .NET's differ by up to 1 ulp in some frequencies; a phase p·f then
        // differs by about p·ulp(f), i.e. ~8e-6 at the table's last position (127): far below the logit tolerance
        var worst = saved.Zip(computed, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-5f, $"largest difference {worst}");
        var early = saved.Take(8 * config.HiddenSize).Zip(computed, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(early <= 5e-7f, $"largest difference in the first 8 positions {early}");
        // row 0 is cos(0) | sin(0)
        Assert.All(computed.Take(24), x => Assert.Equal(1f, x));
        Assert.All(computed.Skip(24).Take(24), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void A_half_precision_file_gives_nearly_the_same_logits()
    {
        using var backend = MusicGenFixtures.Cpu();
        using var full = MusicGenDecoder.Load(ConvertedFixtures.Gguf(Tiny), backend);
        using var half = MusicGenDecoder.Load(ConvertedFixtures.Gguf(Tiny, StorageType.F16), backend);
        Assert.True(half.WeightBytes < full.WeightBytes);
        var ids = Grids.Matrix(Tiny.Vector("tf_decoder_input_ids"));
        var conditioning = MusicGenFixtures.Conditioning(Tiny, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        var worst = full.Forward(ids, conditioning).Zip(half.Forward(ids, conditioning), (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst is > 0f and < 3e-2f, $"f16 weights moved the logits by {worst}");
    }

    [Fact]
    public void A_missing_decoder_tensor_is_named()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Tiny.Directory);
        var layers = MusicGenFixtures.Config(Tiny).NumHiddenLayers;
        var plan = PlanWith(checkpoint, d => d["num_hidden_layers"] = layers + 1);
        var e = Assert.Throws<ModelWeightsException>(() => plan.Tensors.ToList().ForEach(t => t.Produce()));
        Assert.Contains($"decoder.model.decoder.layers.{layers}.", e.Message);
    }

    [Fact]
    public void A_decoder_tensor_of_the_wrong_shape_is_named()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Tiny.Directory);
        var c = MusicGenFixtures.Config(Tiny);
        var plan = PlanWith(checkpoint, d => d["ffn_dim"] = c.FfnDim + 4);
        var e = Assert.Throws<ModelWeightsException>(() => plan.Tensors.ToList().ForEach(t => t.Produce()));
        Assert.Contains("decoder.model.decoder.layers.0.fc1.weight", e.Message);
        Assert.Contains($"[{c.FfnDim}, {c.HiddenSize}]", e.Message);
        Assert.Contains($"[{c.FfnDim + 4}, {c.HiddenSize}]", e.Message);
    }

    [Fact]
    public void Loading_a_file_without_a_decoder_says_so()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mga-no-decoder-{Guid.NewGuid():N}.gguf");
        try
        {
            using (var writer = new GgufWriter(path))
            {
                writer.SetMetadata("general.architecture", "encodec");
                writer.WriteHeader();
                writer.Finish();
            }
            using var backend = MusicGenFixtures.Cpu();
            var e = Assert.Throws<ModelConfigException>(() => MusicGenDecoder.Load(path, backend));
            Assert.Contains(MusicGenDecoderKeys.HiddenSize, e.Message);
        }
        finally { File.Delete(path); }
    }

    private static MusicGenDecoderCheckpointPlan PlanWith(SafetensorsCheckpoint checkpoint, Action<JsonObject> edit)
    {
        var root = JsonNode.Parse(File.ReadAllText(Tiny.ConfigPath))!.AsObject();
        edit(root["decoder"]!.AsObject());
        return new MusicGenDecoderCheckpointPlan(new CheckpointReader(checkpoint),
            MusicGenDecoderConfig.FromHuggingFaceJson(root.ToJsonString(), "edited.json"));
    }
}
