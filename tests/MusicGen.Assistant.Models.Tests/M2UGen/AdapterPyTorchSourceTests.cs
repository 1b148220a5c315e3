using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>The adapters converted straight from the released checkpoint format (torch.save .pth) equal those from model.safetensors.</summary>
public class AdapterPyTorchSourceTests
{
    private static FixtureSet Set => DerivedCheckpoints.Set;

    [Theory]
    [InlineData("checkpoint.pth", StorageType.F32)]
    [InlineData("checkpoint.pth", StorageType.Q8_0)]
    [InlineData("checkpoint_mixed.pth", StorageType.F16)]
    public void A_pth_checkpoint_gives_the_same_gguf_tensors_as_model_safetensors(string pth, StorageType storage)
    {
        var dir = Directory.CreateTempSubdirectory("mga-m2ugen-pth-").FullName;
        using var safetensors = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        using var torch = PyTorchCheckpoint.Open(Path.Combine(Set.Directory, pth));
        var fromSafetensors = Convert(safetensors, Path.Combine(dir, "st.gguf"), storage);
        var fromTorch = Convert(torch, Path.Combine(dir, "pth.gguf"), storage);

        using var a = GgufFile.Open(fromSafetensors);
        using var b = GgufFile.Open(fromTorch);
        Assert.Equal(3 * 16, a.Tensors.Count);
        Assert.Equal(a.Tensors.Select(t => (t.Name, t.Type, string.Join(",", t.Ne))), b.Tensors.Select(t => (t.Name, t.Type, string.Join(",", t.Ne))));
        foreach (var t in a.Tensors)
            Assert.True(a.GetTensorBytes(t).SequenceEqual(b.GetTensorBytes(t.Name)), $"{t.Name} differs between {pth} and model.safetensors");
        Assert.Equal(AdapterMetadata.Read(a.Metadata).Modalities, AdapterMetadata.Read(b.Metadata).Modalities);
    }

    [Fact]
    public void The_pth_sizes_come_from_its_tensor_shapes_alone()
    {
        // checkpoint.pth carries no config: the adapter sizes are read from the shapes
        using var torch = PyTorchCheckpoint.Open(Path.Combine(Set.Directory, "checkpoint.pth"));
        var plan = AdapterCheckpointPlan.ForCheckpoint(torch);
        Assert.Equal([3, 17, 65], plan.Config.Modalities.Select(c => c.Channels));
        Assert.All(plan.Config.Modalities, c => Assert.Equal((32, 64, 64, 3), (c.InWidth, c.Dim, c.HiddenDim, c.Blocks)));
    }

    private static string Convert(ITensorCheckpoint checkpoint, string path, StorageType storage)
    {
        GgufConverter.Write(AdapterCheckpointPlan.ForCheckpoint(checkpoint), path, storage, "test");
        return path;
    }
}
