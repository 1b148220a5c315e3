using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Conversion;

/// <summary>
/// A Hugging Face folder converts from model.safetensors or, when a repository ships only the older format, from
/// pytorch_model.bin (a torch.save zip). The m2ugen-tiny fixture's checkpoint.pth holds the same tensors as its
/// model.safetensors, so both folders must give byte-identical GGUF tensors.
/// </summary>
public sealed class HuggingFaceWeightsTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mga-hf-weights-");

    public void Dispose() => _dir.Delete(recursive: true);

    private static FixtureSet Set => FixtureSet.ByName("m2ugen-tiny");

    [Fact]
    public void A_folder_with_only_pytorch_model_bin_converts_like_its_safetensors_twin()
    {
        var binFolder = Directory.CreateDirectory(Path.Combine(_dir.FullName, "bin")).FullName;
        File.Copy(Path.Combine(Set.Directory, "config.json"), Path.Combine(binFolder, "config.json"));
        File.Copy(Path.Combine(Set.Directory, "checkpoint.pth"), Path.Combine(binFolder, "pytorch_model.bin"));
        using (var weights = CheckpointConversion.OpenWeights(binFolder)) Assert.IsType<PyTorchCheckpoint>(weights);

        var fromBin = Path.Combine(_dir.FullName, "bin.gguf");
        var fromSafetensors = Path.Combine(_dir.FullName, "safetensors.gguf");
        CheckpointConversion.Convert(binFolder, fromBin, StorageType.F32);
        CheckpointConversion.Convert(Set.Directory, fromSafetensors, StorageType.F32);

        using var a = GgufFile.Open(fromBin);
        using var b = GgufFile.Open(fromSafetensors);
        Assert.Equal(b.Tensors.Select(t => t.Name).Order(), a.Tensors.Select(t => t.Name).Order());
        Assert.NotEmpty(a.Tensors);
        foreach (var t in b.Tensors)
            Assert.True(a.GetTensorBytes(t.Name).SequenceEqual(b.GetTensorBytes(t)), $"tensor '{t.Name}' differs between the two sources");
    }

    [Fact]
    public void A_folder_without_weights_or_with_sharded_bins_says_what_it_looked_for()
    {
        File.Copy(Path.Combine(Set.Directory, "config.json"), Path.Combine(_dir.FullName, "config.json"));
        var e = Assert.Throws<ModelWeightsException>(() => CheckpointConversion.OpenWeights(_dir.FullName));
        Assert.Contains("model.safetensors", e.Message);
        Assert.Contains("pytorch_model.bin", e.Message);

        File.WriteAllText(Path.Combine(_dir.FullName, "pytorch_model.bin.index.json"), "{}");
        e = Assert.Throws<ModelWeightsException>(() => CheckpointConversion.OpenWeights(_dir.FullName));
        Assert.Contains("sharded", e.Message);
    }
}
