using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Tests.Helpers;
using static MusicGen.Assistant.Formats.Tests.PyTorch.SyntheticCheckpoint;

namespace MusicGen.Assistant.Formats.Tests.PyTorch;

/// <summary>
/// Reading one tensor touches that tensor's bytes only: opening reads the directory and the pickle, and each read
/// is a view of the mapped file, so a 30 GB checkpoint is never held (or even read) whole.
/// </summary>
public sealed class PyTorchStreamingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Every_other_storage_can_be_garbage_without_affecting_open_or_the_tensor_read()
    {
        string fixture = PyTorchFixtureTests.Fixture("checkpoint.pth");
        const string target = "iu_vit_proj.weight", other = "iu_vit_proj.bias";
        byte[] bytes = File.ReadAllBytes(fixture);
        float[] expected;
        using (var intact = PyTorchCheckpoint.Open(fixture))
        {
            expected = intact.ReadFloat32(target);
            foreach (PyTorchStorageInfo storage in intact.AllTensors.Select(t => t.Storage).Distinct())
            {
                if (storage != intact.Get(target).Storage)
                {
                    FileByteRange range = intact.GetByteRange(storage);
                    bytes.AsSpan((int)range.Offset, (int)range.Length).Fill(0xFF); // 0xFFFFFFFF is a NaN
                }
            }
        }
        string damaged = _temp.File("garbage.pth");
        File.WriteAllBytes(damaged, bytes);

        using var checkpoint = PyTorchCheckpoint.Open(damaged);
        PyTorchFixtureTests.AssertBitwiseEqual(expected, checkpoint.ReadFloat32(target), target);
        Assert.All(checkpoint.ReadFloat32(other), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void Reading_a_tensor_allocates_its_values_and_no_copy_of_the_file()
    {
        string fixture = PyTorchFixtureTests.Fixture("checkpoint.pth");
        using var checkpoint = PyTorchCheckpoint.Open(fixture);
        const string name = "mu_mert_proj.weight"; // [64, 32] floats = 8 KiB of a 2.9 MB file
        checkpoint.ReadFloat32(name); // JIT and the data-offset cache are warm after this

        long before = GC.GetAllocatedBytesForCurrentThread();
        float[] values = checkpoint.ReadFloat32(name);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(64 * 32, values.Length);
        Assert.InRange(allocated, values.Length * 4, values.Length * 4 + 1024);
        Assert.True(new FileInfo(fixture).Length > 100 * allocated);
    }

    [Fact]
    public void A_tensor_past_4_GiB_in_a_zip64_archive_is_read_without_reading_what_comes_before()
    {
        const long hugeBytes = 4_600_000_000; // a sparse hole: no disk blocks, reads would return zeros
        byte[] pickle = new PickleWriter().Proto().EmptyDict().Mark().Str("model").EmptyDict().Mark()
            .Str("huge").Tensor("ByteStorage", "0", hugeBytes)
            .Str("tail").Tensor("FloatStorage", "1", 2, 2)
            .SetItems().SetItems().Stop().ToArray();
        string path = _temp.File("sparse.pth");
        TorchZipWriter.Write(path,
        [
            new ZipMember("big/data.pkl", pickle),
            new ZipMember("big/data/0", null, hugeBytes),
            new ZipMember("big/data/1", Floats(1.5f, -2, 3, 1e-3f)),
        ]);

        long before = GC.GetAllocatedBytesForCurrentThread();
        using var checkpoint = PyTorchCheckpoint.Open(path);
        float[] tail = checkpoint.ReadFloat32("tail");
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal([1.5f, -2, 3, 1e-3f], tail);
        Assert.True(checkpoint.GetByteRange(checkpoint.Get("tail")).Offset > uint.MaxValue);
        Assert.Equal(hugeBytes, checkpoint.Get("huge").ElementCount);
        Assert.True(allocated < 1 << 20, $"open + one read allocated {allocated} bytes");
        var e = Assert.Throws<NotSupportedException>(() => checkpoint.ReadInt64("huge"));
        Assert.Contains("more than one array can hold", e.Message);
    }
}
