using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Formats.Tests.PyTorch;

/// <summary>
/// The m2ugen-tiny checkpoints written by real torch.save: checkpoint.pth and checkpoint_mixed.pth hold the tensors of
/// model.safetensors (the mixed one with one float16, one bfloat16 and two views of one shared storage).
/// </summary>
public sealed class PyTorchFixtureTests
{
    private const string HalfTensor = "llama.layers.0.attention.wq.weight";
    private const string BFloat16Tensor = "llama.layers.0.feed_forward.w1.weight";
    private const string SharedA = "llama.layers.0.attention_norm.weight";
    private const string SharedB = "llama.layers.0.ffn_norm.weight";

    /// <summary>Tensors torch.save wrote, from vectors.json (checkpoint.saved_keys).</summary>
    private static int Saved => FixtureSet.ByName("m2ugen-tiny").SavedTensorCount;

    /// <summary>A tensor's shape as model.safetensors (the same weights in float32) holds it.</summary>
    private static long[] ShapeInSafetensors(string name)
    {
        using var file = SafetensorsFile.Open(Fixture("model.safetensors"));
        return file.Get(name).Shape;
    }

    internal static string Fixture(string file)
    {
        string path = FixturePaths.Get("m2ugen-tiny", file);
        Assert.True(File.Exists(path), $"Fixture missing: {path} (set {FixturePaths.EnvironmentVariable}).");
        return path;
    }

    [Fact]
    public void Checkpoint_pth_holds_every_tensor_of_model_safetensors_bit_for_bit()
    {
        using var expected = SafetensorsFile.Open(Fixture("model.safetensors"));
        using var checkpoint = PyTorchCheckpoint.Open(Fixture("checkpoint.pth"));

        Assert.Equal(Saved, checkpoint.Tensors.Count);
        Assert.Equal(expected.Tensors.Select(t => t.Name).Order(StringComparer.Ordinal), checkpoint.Names.Order(StringComparer.Ordinal));
        foreach (SafetensorsTensorInfo reference in expected.Tensors)
        {
            PyTorchTensorInfo tensor = checkpoint.Get(reference.Name);
            Assert.Equal(reference.Shape, tensor.Shape);
            Assert.Equal(SafetensorsDType.F32, tensor.DType);
            Assert.True(tensor.IsContiguous, reference.Name);
            AssertBitwiseEqual(expected.ReadFloat32(reference.Name), checkpoint.ReadFloat32(reference.Name), reference.Name);
        }
    }

    [Fact]
    public void Checkpoint_pth_is_the_model_dict_beside_epoch_and_args()
    {
        using var checkpoint = PyTorchCheckpoint.Open(Fixture("checkpoint.pth"));

        Assert.Equal("checkpoint", checkpoint.ArchiveName);
        Assert.Equal("3", checkpoint.Version);
        Assert.Equal("model", checkpoint.StateDictPath);
        Assert.Equal(0L, checkpoint.Values["epoch"]);
        Assert.True(checkpoint.Values.ContainsKey("args"));
        Assert.Null(checkpoint.Values["args"]);
        Assert.Equal(checkpoint.Tensors.Select(t => "model." + t.Name), checkpoint.AllTensors.Select(t => t.PicklePath));
        // torch.save numbers storages in the order tensors are pickled, one storage per tensor here.
        Assert.Equal(Enumerable.Range(0, Saved).Select(i => i.ToString()), checkpoint.Tensors.Select(t => t.Storage.Key));
        Assert.Equal("mu_mert_agg.weight", checkpoint.Tensors[0].Name);
        Assert.Equal(ShapeInSafetensors("mu_mert_agg.weight"), checkpoint.Shape("mu_mert_agg.weight"));
    }

    [Fact]
    public void Mixed_checkpoint_float16_and_bfloat16_tensors_equal_their_recorded_float32_values()
    {
        using var vectors = SafetensorsFile.Open(Fixture("vectors.safetensors"));
        using var checkpoint = PyTorchCheckpoint.Open(Fixture("checkpoint_mixed.pth"));

        PyTorchTensorInfo half = checkpoint.Get(HalfTensor);
        Assert.Equal(SafetensorsDType.F16, half.DType);
        Assert.Equal("torch.HalfStorage", half.Storage.TypeName);
        Assert.Equal(ShapeInSafetensors(HalfTensor), half.Shape);
        AssertBitwiseEqual(vectors.ReadFloat32("ckpt_mixed_f16_as_f32"), checkpoint.ReadFloat32(HalfTensor), HalfTensor);

        PyTorchTensorInfo bf16 = checkpoint.Get(BFloat16Tensor);
        Assert.Equal(SafetensorsDType.BF16, bf16.DType);
        Assert.Equal("torch.BFloat16Storage", bf16.Storage.TypeName);
        Assert.Equal(ShapeInSafetensors(BFloat16Tensor), bf16.Shape);
        AssertBitwiseEqual(vectors.ReadFloat32("ckpt_mixed_bf16_as_f32"), checkpoint.ReadFloat32(BFloat16Tensor), BFloat16Tensor);
    }

    [Fact]
    public void Mixed_checkpoint_rounded_tensors_stay_within_their_precision_of_the_float32_originals()
    {
        using var expected = SafetensorsFile.Open(Fixture("model.safetensors"));
        using var checkpoint = PyTorchCheckpoint.Open(Fixture("checkpoint_mixed.pth"));

        // Round-to-nearest keeps 11 (float16) or 8 (bfloat16) significant bits: relative error <= 2^-11 or 2^-8.
        foreach (var (name, relative) in new[] { (HalfTensor, Math.Pow(2, -11)), (BFloat16Tensor, Math.Pow(2, -8)) })
        {
            float[] original = expected.ReadFloat32(name), rounded = checkpoint.ReadFloat32(name);
            Assert.Equal(original.Length, rounded.Length);
            for (int i = 0; i < original.Length; i++)
            {
                Assert.True(Math.Abs(rounded[i] - original[i]) <= relative * Math.Abs(original[i]) + 1e-7,
                    $"{name}[{i}]: {rounded[i]} vs {original[i]}");
            }
            Assert.NotEqual(original, rounded); // the rounding did happen
        }
    }

    [Fact]
    public void Mixed_checkpoint_other_tensors_equal_model_safetensors_including_the_shared_storage_views()
    {
        using var expected = SafetensorsFile.Open(Fixture("model.safetensors"));
        using var checkpoint = PyTorchCheckpoint.Open(Fixture("checkpoint_mixed.pth"));

        Assert.Equal(Saved, checkpoint.Tensors.Count);
        foreach (string name in checkpoint.Names.Where(n => n is not HalfTensor and not BFloat16Tensor))
        {
            Assert.Equal(SafetensorsDType.F32, checkpoint.DType(name));
            AssertBitwiseEqual(expected.ReadFloat32(name), checkpoint.ReadFloat32(name), name);
        }

        PyTorchTensorInfo a = checkpoint.Get(SharedA), b = checkpoint.Get(SharedB);
        // the two norms (one LLaMA width each) are views of one storage, back to back
        var width = ShapeInSafetensors(SharedA)[0];
        Assert.Same(a.Storage, b.Storage);
        Assert.Equal(2 * width, a.Storage.ElementCount);
        Assert.Equal((0L, width), (a.StorageOffset, b.StorageOffset));
        Assert.Equal([width], a.Shape);
        // one storage fewer than tensors: the two views share one.
        Assert.Equal(Saved - 1, checkpoint.Tensors.Select(t => t.Storage.Key).Distinct().Count());
        Assert.Equal(checkpoint.GetByteRange(a).End, checkpoint.GetByteRange(b).Offset);
        Assert.Equal(checkpoint.GetByteRange(a.Storage), new FileByteRange(checkpoint.GetByteRange(a).Offset, 2 * width * sizeof(float)));
    }

    [Fact]
    public void Contiguous_bytes_are_the_file_bytes_at_the_reported_range()
    {
        string path = Fixture("checkpoint_mixed.pth");
        using var checkpoint = PyTorchCheckpoint.Open(path);
        byte[] file = File.ReadAllBytes(path);

        foreach (string name in new[] { HalfTensor, BFloat16Tensor, SharedB, "prefix_query.weight" })
        {
            FileByteRange range = checkpoint.GetByteRange(checkpoint.Get(name));
            Assert.Equal(checkpoint.Get(name).ElementCount * checkpoint.DType(name).ElementSize(), range.Length);
            Assert.Equal(file.AsSpan((int)range.Offset, (int)range.Length).ToArray(), checkpoint.GetContiguousBytes(name).ToArray());
        }
    }

    [Fact]
    public void Both_readers_serve_the_same_tensors_through_ITensorCheckpoint()
    {
        using ITensorCheckpoint pth = PyTorchCheckpoint.Open(Fixture("checkpoint.pth"));
        using ITensorCheckpoint safetensors = SafetensorsCheckpoint.OpenDirectory(Path.GetDirectoryName(Fixture("model.safetensors"))!);

        Assert.EndsWith("checkpoint.pth", pth.Source);
        Assert.Equal(Path.GetDirectoryName(Fixture("model.safetensors")), safetensors.Source);
        Assert.Equal(safetensors.Names.Order(StringComparer.Ordinal), pth.Names.Order(StringComparer.Ordinal));
        foreach (string name in safetensors.Names.Where(n => n.StartsWith("iu_vivit_", StringComparison.Ordinal)))
        {
            Assert.True(pth.Contains(name));
            Assert.Equal(safetensors.Shape(name), pth.Shape(name));
            Assert.Equal(safetensors.DType(name), pth.DType(name));
            AssertBitwiseEqual(safetensors.ReadFloat32(name), pth.ReadFloat32(name), name);
        }
        var missing = Assert.Throws<KeyNotFoundException>(() => pth.Shape("iu_vivit_proj.wieght"));
        Assert.Contains("'iu_vivit_proj.weight'", missing.Message); // the closest name is suggested
    }

    internal static void AssertBitwiseEqual(float[] expected, float[] actual, string name)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
            {
                Assert.Fail($"{name}[{i}]: expected {expected[i]:R}, got {actual[i]:R}");
            }
        }
    }
}
