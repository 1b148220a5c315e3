using System.Text.Json.Nodes;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;
using K = MusicGen.Assistant.Models.MusicGenLm.MusicGenDecoderKeys;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// A musicgen_melody checkpoint converts whole into one GGUF (EnCodec, T5 with enc_to_dec_proj, and the melody decoder
/// with its chroma projection and no cross-attention), and the melody settings travel through config.json and GGUF.
/// </summary>
public class MelodyConversionTests
{
    private static FixtureSet Melody => MelodyFixtures.Tiny;

    [Fact]
    public void A_melody_checkpoint_converts_every_part()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Melody.Directory);
        var detected = CheckpointConversion.Detect(Melody.Directory, checkpoint);
        Assert.Empty(detected.Notes);
        Assert.Equal(["encodec", K.Architecture, "t5"], detected.Plans.Select(p => p.Architecture));
        var plan = detected.Plans.OfType<MusicGenDecoderCheckpointPlan>().Single();
        // 4 embeddings + 2 x (2 norms x 2 + 4 projections + 2 ffn) + final norm x 2 + 4 heads + chroma weight and bias
        Assert.Equal(4 + 2 * 10 + 2 + 4 + 2, plan.Tensors.Count);
        Assert.DoesNotContain(plan.Tensors, t => t.Name.Contains($".{K.CrossAttention}_") || t.Name.Contains(K.CrossAttentionNorm));
        var chroma = plan.Tensors.Single(t => t.Name == K.Weight(K.ChromaProjection));
        Assert.Equal([12L, 48], chroma.Ne);
        // every decoder and chroma projection tensor is used except the sinusoidal table, which is recomputed
        var used = plan.Tensors.Select(t => t.Source).ToHashSet();
        var unused = checkpoint.Tensors.Select(t => t.Name)
            .Where(n => (n.StartsWith("decoder.") || n.StartsWith("audio_enc_to_dec_proj.")) && !used.Contains(n)).ToList();
        Assert.Equal(["decoder.model.decoder.embed_positions.weights"], unused);
    }

    [Fact]
    public void The_converted_file_carries_the_melody_config_and_no_cross_attention()
    {
        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Melody));
        var config = MusicGenDecoderMetadata.Read(file.Metadata);
        Assert.Equal(MusicGenFixtures.Config(Melody), config);
        Assert.True(config.IsMelody);
        Assert.False(config.CrossAttention);
        Assert.Equal((8, 12), (config.ChromaLength, config.NumChroma));
        Assert.DoesNotContain(file.Tensors, t => t.Name.Contains($".{K.CrossAttention}_"));
        Assert.Equal(GgmlType.F32, file.GetTensor(K.Weight(K.ChromaProjection)).Type);
        Assert.True(file.ContainsTensor(MusicGen.Assistant.Models.T5.T5Keys.ProjectionWeight));
        Assert.Contains(file.Tensors, t => t.Name.StartsWith("encodec."));
    }

    [Fact]
    public void The_chroma_projection_is_stored_as_the_checkpoint_holds_it()
    {
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(Melody.Directory);
        using var file = GgufFile.Open(ConvertedFixtures.Gguf(Melody, StorageType.Q8_0));
        // exact even in a quantized file: the tensor is too small to be worth quantizing, and applied on the host
        Assert.Equal(checkpoint.ReadFloat32("audio_enc_to_dec_proj.weight"), file.ReadFloat32(K.Weight(K.ChromaProjection)));
        Assert.Equal(checkpoint.ReadFloat32("audio_enc_to_dec_proj.bias"), file.ReadFloat32(K.Bias(K.ChromaProjection)));
    }

    [Fact]
    public void Melody_settings_are_read_from_config_json()
    {
        var root = JsonNode.Parse(File.ReadAllText(Melody.ConfigPath))!.AsObject();
        root["chroma_length"] = 235;
        var config = MusicGenDecoderConfig.FromHuggingFaceJson(root.ToJsonString(), "edited.json");
        Assert.Equal((235, 12, false), (config.ChromaLength, config.NumChroma, config.CrossAttention));
        // a standalone melody decoder config takes transformers' defaults
        var decoderOnly = MusicGenDecoderConfig.FromHuggingFaceJson(root["decoder"]!.ToJsonString(), "decoder.json");
        Assert.Equal((MusicGenDecoderConfig.MelodyChromaLength, MusicGenDecoderConfig.MelodyNumChroma), (decoderOnly.ChromaLength, decoderOnly.NumChroma));
        var plain = MusicGenFixtures.Config(FixtureSet.ByName("musicgen-tiny"));
        Assert.Equal((true, 0, 0, false), (plain.CrossAttention, plain.ChromaLength, plain.NumChroma, plain.IsMelody));
    }

    [Theory]
    [InlineData("chroma_length", 0, "chroma_length 0 must be positive")]
    [InlineData("num_chroma", -1, "num_chroma -1 must be positive")]
    public void Bad_melody_settings_are_named(string key, int value, string expected)
    {
        var root = JsonNode.Parse(File.ReadAllText(Melody.ConfigPath))!.AsObject();
        root[key] = value;
        var e = Assert.Throws<ModelConfigException>(() => MusicGenDecoderConfig.FromHuggingFaceJson(root.ToJsonString(), "edited.json"));
        Assert.Contains(expected, e.Message);
        Assert.Contains("edited.json", e.Message);
    }

    [Fact]
    public void A_cross_attending_decoder_with_chroma_settings_is_inconsistent()
    {
        var e = Assert.Throws<ModelConfigException>(() => (MusicGenDecoderConfig.Small with { ChromaLength = 235, NumChroma = 12 }).Validate("x.gguf"));
        Assert.Contains("chroma_length 235", e.Message);
        Assert.Contains("x.gguf", e.Message);
    }

    [Fact]
    public void A_file_written_before_melody_support_reads_as_a_cross_attending_decoder()
    {
        var path = Path.Combine(Path.GetTempPath(), $"mga-old-decoder-{Guid.NewGuid():N}.gguf");
        try
        {
            var c = MusicGenDecoderConfig.Small;
            using (var writer = new GgufWriter(path))
            {
                writer.SetMetadata("general.architecture", K.Architecture);
                writer.SetMetadata(K.VocabSize, c.VocabSize);
                writer.SetMetadata(K.HiddenSize, c.HiddenSize);
                writer.SetMetadata(K.NumHiddenLayers, c.NumHiddenLayers);
                writer.SetMetadata(K.NumAttentionHeads, c.NumAttentionHeads);
                writer.SetMetadata(K.FfnDim, c.FfnDim);
                writer.SetMetadata(K.NumCodebooks, c.NumCodebooks);
                writer.SetMetadata(K.AudioChannels, c.AudioChannels);
                writer.SetMetadata(K.MaxPositionEmbeddings, c.MaxPositionEmbeddings);
                writer.SetMetadata(K.ActivationFunction, c.ActivationFunction);
                writer.SetMetadata(K.ScaleEmbedding, c.ScaleEmbedding);
                writer.SetMetadata(K.PadTokenId, c.PadTokenId);
                writer.SetMetadata(K.BosTokenId, c.BosTokenId);
                writer.SetMetadata(K.LayerNormEps, c.LayerNormEps);
                writer.WriteHeader();
                writer.Finish();
            }
            using var file = GgufFile.Open(path);
            Assert.Equal(c, MusicGenDecoderMetadata.Read(file.Metadata));
        }
        finally { File.Delete(path); }
    }

    [Fact]
    public void A_random_melody_decoder_plan_has_the_melody_layout()
    {
        var config = MusicGenFixtures.Config(Melody);
        var plan = new MusicGenDecoderRandomPlan(config, seed: 3);
        var converted = new MusicGenDecoderCheckpointPlan(new CheckpointReader(SafetensorsCheckpoint.OpenDirectory(Melody.Directory)), config);
        Assert.Equal(converted.Tensors.Select(t => (t.Name, string.Join(",", t.Ne))), plan.Tensors.Select(t => (t.Name, string.Join(",", t.Ne))));
    }
}
