using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;
using MusicGen.Assistant.Formats.Tests.PyTorch;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Formats.Tests.Conversion;

/// <summary>M2UGen's adapter weights go from checkpoint.pth to GGUF through the converter, tensor by tensor.</summary>
public sealed class CheckpointTensorsPlanTests : IDisposable
{
    private static readonly string[] AdapterPrefixes = ["mu_mert_", "iu_vit_", "iu_vivit_"];
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Adapter_weights_of_checkpoint_pth_convert_to_f32_gguf_equal_to_model_safetensors()
    {
        using var expected = SafetensorsFile.Open(PyTorchFixtureTests.Fixture("model.safetensors"));
        using var checkpoint = PyTorchCheckpoint.Open(PyTorchFixtureTests.Fixture("checkpoint.pth"));
        var plan = CheckpointTensorsPlan.WithPrefixes(checkpoint, "m2ugen-adapters", AdapterPrefixes);
        string output = _temp.File("adapters.gguf");

        ConversionResult result = GgufConverter.Write(plan, output, StorageType.F32, "checkpoint.pth");

        var adapterNames = expected.Tensors.Select(t => t.Name).Where(n => AdapterPrefixes.Any(p => n.StartsWith(p, StringComparison.Ordinal))).ToList();
        Assert.Equal(adapterNames.Count, result.TensorCount);
        Assert.Equal(3 * 16, adapterNames.Count); // per adapter: agg w+b, proj w+b, 3 norms, 9 SwiGLU matrices
        using var gguf = GgufFile.Open(output);
        Assert.Equal("m2ugen-adapters", gguf.Metadata.Get("general.architecture").AsString());
        foreach (string name in adapterNames)
        {
            GgufTensorInfo tensor = gguf.GetTensor(name);
            Assert.Equal(GgmlType.F32, tensor.Type);
            Assert.Equal(expected.Get(name).Shape.Reverse(), tensor.Ne);
            PyTorchFixtureTests.AssertBitwiseEqual(expected.ReadFloat32(name), gguf.ReadFloat32(name), name);
        }
    }

    [Fact]
    public void Matrices_take_the_requested_type_and_everything_else_stays_f32()
    {
        using var checkpoint = PyTorchCheckpoint.Open(PyTorchFixtureTests.Fixture("checkpoint_mixed.pth"));
        var plan = new CheckpointTensorsPlan(checkpoint, "probe",
            ["llama.layers.0.attention.wq.weight", "llama.layers.0.attention_norm.weight", "mu_mert_agg.weight"],
            name => name.Replace("llama.layers.0.", "blk.0."));
        string output = _temp.File("mixed.gguf");

        GgufConverter.Write(plan, output, StorageType.F16, "checkpoint_mixed.pth");

        using var gguf = GgufFile.Open(output);
        Assert.Equal(GgmlType.F16, gguf.GetTensor("blk.0.attention.wq.weight").Type);
        Assert.Equal(GgmlType.F32, gguf.GetTensor("blk.0.attention_norm.weight").Type);
        Assert.Equal(GgmlType.F32, gguf.GetTensor("mu_mert_agg.weight").Type);
        Assert.Equal([1L, 3, 1], gguf.GetTensor("mu_mert_agg.weight").Ne);
        // The checkpoint stores wq as float16 already, so f16 output holds exactly the same values.
        PyTorchFixtureTests.AssertBitwiseEqual(checkpoint.ReadFloat32("llama.layers.0.attention.wq.weight"),
            gguf.ReadFloat32("blk.0.attention.wq.weight"), "wq");
        PyTorchFixtureTests.AssertBitwiseEqual(checkpoint.ReadFloat32("llama.layers.0.attention_norm.weight"),
            gguf.ReadFloat32("blk.0.attention_norm.weight"), "attention_norm");
    }

    [Fact]
    public void Unknown_names_and_empty_selections_are_reported()
    {
        using var checkpoint = PyTorchCheckpoint.Open(PyTorchFixtureTests.Fixture("checkpoint.pth"));
        var missing = Assert.Throws<KeyNotFoundException>(() => new CheckpointTensorsPlan(checkpoint, "x", ["mu_mert_proj.weigth"]));
        Assert.Contains("'mu_mert_proj.weight'", missing.Message);
        var none = Assert.Throws<ArgumentException>(() => CheckpointTensorsPlan.WithPrefixes(checkpoint, "x", "mu_hubert_"));
        Assert.Contains("'mu_hubert_'", none.Message);
    }
}
