using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>Adapter sizes read from tensor shapes alone (the released checkpoint.pth has no config file).</summary>
public class AdapterConfigTests
{
    // the shapes of the released M2UGen-MusicGen checkpoint's adapters (m2ugen.md section 2)
    private static long[]? Released(string name)
    {
        foreach (var (m, channels, width) in new[] { (M2UGenModality.Music, 25L, 1024L), (M2UGenModality.Image, 197L, 768L), (M2UGenModality.Video, 3137L, 768L) })
        {
            if (name == AdapterCheckpointKeys.AggWeight(m)) return [1, channels, 1];
            if (name == AdapterCheckpointKeys.AggBias(m)) return [1];
            if (name == AdapterCheckpointKeys.ProjWeight(m)) return [4096, width];
            if (name == AdapterCheckpointKeys.ProjBias(m)) return [4096];
            for (var i = 1; i <= 3; i++)
            {
                if (name == AdapterCheckpointKeys.Norm(m, i)) return [4096];
                if (name == AdapterCheckpointKeys.Gate(m, i) || name == AdapterCheckpointKeys.Up(m, i) || name == AdapterCheckpointKeys.Down(m, i)) return [4096, 4096];
            }
        }
        return null;
    }

    [Fact]
    public void The_released_adapter_shapes_give_the_paper_sizes()
    {
        var config = AdapterConfig.FromTensorShapes(Released, "checkpoint.pth");
        var music = config[M2UGenModality.Music];
        Assert.Equal((25, 1024, 4096, 4096, 3, true), (music.Channels, music.InWidth, music.Dim, music.HiddenDim, music.Blocks, music.PoolsTime));
        Assert.Equal((197, 768, false), (config[M2UGenModality.Image].Channels, config[M2UGenModality.Image].InWidth, config[M2UGenModality.Image].PoolsTime));
        Assert.Equal((3137, 768), (config[M2UGenModality.Video].Channels, config[M2UGenModality.Video].InWidth));
        Assert.All(config.Modalities, c => Assert.Equal(1e-6, c.NormEpsilon));
    }

    [Fact]
    public void MU_LLaMA_sized_blocks_are_read_from_f1()
    {
        // feature_scaler 4 (MU-LLaMA): f1 / f3 [16384, 4096], f2 [4096, 16384]
        long[]? Shapes(string name) => name.StartsWith("mu_mert_f1_", StringComparison.Ordinal) ? [16384, 4096] : name.StartsWith("mu_", StringComparison.Ordinal) ? Released(name) : null;
        var config = AdapterConfig.FromTensorShapes(Shapes, "x");
        Assert.Equal(16384, config[M2UGenModality.Music].HiddenDim);
        Assert.False(config.Has(M2UGenModality.Video));
        var e = Assert.Throws<ModelConfigException>(() => config[M2UGenModality.Video]);
        Assert.Contains("no video adapter (present: music)", e.Message);
    }

    [Fact]
    public void No_adapter_tensors_at_all_is_an_error_naming_what_was_looked_for()
    {
        var e = Assert.Throws<ModelWeightsException>(() => AdapterConfig.FromTensorShapes(_ => null, "llama-only.safetensors"));
        Assert.Contains("llama-only.safetensors: no M2UGen adapter tensors (looked for mu_mert_agg.weight, iu_vit_agg.weight, iu_vivit_agg.weight)", e.Message);
    }

    [Fact]
    public void A_gate_that_does_not_take_the_projection_width_is_named()
    {
        long[]? Shapes(string name) => name == "iu_vit_f1_1.weight" ? [4096, 768] : Released(name);
        var e = Assert.Throws<ModelWeightsException>(() => AdapterConfig.FromTensorShapes(Shapes, "x"));
        Assert.Contains("'iu_vit_f1_1.weight' has shape [4096, 768], expected [H, 4096]", e.Message);
    }

    [Theory]
    [InlineData("music", M2UGenModality.Music)]
    [InlineData("Video", M2UGenModality.Video)]
    public void Modalities_parse_by_name(string text, M2UGenModality expected) => Assert.Equal(expected, M2UGenModalities.Parse(text));

    [Fact]
    public void An_unknown_modality_name_is_refused() =>
        Assert.Contains("unknown modality 'audio' (use music, image or video)", Assert.Throws<ArgumentException>(() => M2UGenModalities.Parse("audio")).Message);
}
