using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Common;

/// <summary>CheckpointReader reads through ITensorCheckpoint, so a PyTorch .pth serves the same shape-checked tensors as safetensors.</summary>
public sealed class CheckpointReaderTests
{
    private static string Fixture(string file)
    {
        string path = FixturePaths.Get("m2ugen-tiny", file);
        Assert.True(File.Exists(path), $"Fixture missing: {path} (set {FixturePaths.EnvironmentVariable}).");
        return path;
    }

    [Fact]
    public void A_pth_and_a_safetensors_directory_give_the_same_shape_checked_tensors()
    {
        using var pth = PyTorchCheckpoint.Open(Fixture("checkpoint.pth"));
        using var safetensors = SafetensorsCheckpoint.OpenDirectory(Path.GetDirectoryName(Fixture("model.safetensors"))!);
        var fromPth = new CheckpointReader(pth);
        var fromSafetensors = new CheckpointReader(safetensors);

        Assert.EndsWith("checkpoint.pth", fromPth.Source);
        Assert.Equal(fromSafetensors.Read("mu_mert_proj.weight", 64, 32), fromPth.Read("mu_mert_proj.weight", 64, 32));
        Assert.Equal(fromSafetensors.Read("iu_vivit_agg.weight", 1, 65, 1), fromPth.Read("iu_vivit_agg.weight", 1, 65, 1));
    }

    [Fact]
    public void Shape_mismatches_and_missing_tensors_name_the_pth()
    {
        using var pth = PyTorchCheckpoint.Open(Fixture("checkpoint.pth"));
        var reader = new CheckpointReader(pth);

        var shape = Assert.Throws<ModelWeightsException>(() => reader.Read("mu_mert_proj.weight", 32, 64));
        Assert.Contains("checkpoint.pth: tensor 'mu_mert_proj.weight' has shape [64, 32], expected [32, 64]", shape.Message);
        var missing = Assert.Throws<ModelWeightsException>(() => reader.Read("mu_mert_proj.weight_g", 64, 32));
        Assert.Contains("missing tensor 'mu_mert_proj.weight_g'", missing.Message);
    }
}
