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
        // each read with the shape model.safetensors records for it
        foreach (var name in new[] { "mu_mert_proj.weight", "iu_vivit_agg.weight" })
        {
            var shape = safetensors.Shape(name);
            Assert.Equal(fromSafetensors.Read(name, shape), fromPth.Read(name, shape));
        }
    }

    [Fact]
    public void Shape_mismatches_and_missing_tensors_name_the_pth()
    {
        using var pth = PyTorchCheckpoint.Open(Fixture("checkpoint.pth"));
        var reader = new CheckpointReader(pth);

        var (rows, columns) = (pth.Shape("mu_mert_proj.weight")[0], pth.Shape("mu_mert_proj.weight")[1]);
        var shape = Assert.Throws<ModelWeightsException>(() => reader.Read("mu_mert_proj.weight", columns, rows + 1));
        Assert.Contains($"checkpoint.pth: tensor 'mu_mert_proj.weight' has shape [{rows}, {columns}], expected [{columns}, {rows + 1}]", shape.Message);
        var missing = Assert.Throws<ModelWeightsException>(() => reader.Read("mu_mert_proj.weight_g", rows, columns));
        Assert.Contains("missing tensor 'mu_mert_proj.weight_g'", missing.Message);
    }
}
