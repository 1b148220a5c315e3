using System.Buffers.Binary;
using System.Text;
using MusicGen.Assistant.Formats.PyTorch;
using MusicGen.Assistant.Formats.Tests.Helpers;
using static MusicGen.Assistant.Formats.Tests.PyTorch.SyntheticCheckpoint;

namespace MusicGen.Assistant.Formats.Tests.PyTorch;

/// <summary>Damaged copies of the real checkpoint.pth (and a few hand-built ones): each gives an error that names the problem.</summary>
public sealed class PyTorchCorruptInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _fixture = PyTorchFixtureTests.Fixture("checkpoint.pth");

    public void Dispose() => _temp.Dispose();

    private string Copy(byte[] bytes, string name = "damaged.pth")
    {
        string path = _temp.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string Rewrite(Func<List<ZipMember>, IEnumerable<ZipMember>> change)
    {
        string path = _temp.File(Guid.NewGuid().ToString("N") + ".pth");
        TorchZipWriter.Write(path, change(TorchZipWriter.ReadMembers(_fixture)));
        return path;
    }

    private static PyTorchFormatException OpenFails(string path) => Assert.Throws<PyTorchFormatException>(() => PyTorchCheckpoint.Open(path));

    /// <summary>The tensor that storage <paramref name="key"/> of the intact fixture belongs to.</summary>
    private string TensorOfStorage(string key)
    {
        using var intact = PyTorchCheckpoint.Open(_fixture);
        return intact.AllTensors.Single(t => t.Storage.Key == key).PicklePath;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.999)]
    public void A_truncated_file_has_no_end_of_central_directory(double keep)
    {
        byte[] bytes = File.ReadAllBytes(_fixture);
        var e = OpenFails(Copy(bytes[..(int)(bytes.Length * keep)]));
        Assert.Contains("no zip end-of-central-directory record", e.Message);
        Assert.Contains("probably truncated", e.Message);
    }

    [Fact]
    public void Empty_legacy_and_foreign_files_are_told_apart()
    {
        Assert.Contains("too short for a zip archive", OpenFails(Copy([], "empty.pth")).Message);
        byte[] legacy = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, .. new byte[40]];
        Assert.Contains("legacy torch.save format", OpenFails(Copy(legacy, "legacy.pth")).Message);
        Assert.Contains("not a zip archive", OpenFails(Copy(Encoding.ASCII.GetBytes(new string('x', 100)), "text.pth")).Message);

        string foreign = _temp.File("foreign.zip");
        TorchZipWriter.Write(foreign, [new ZipMember("notes.txt", Encoding.ASCII.GetBytes("hello"))]);
        Assert.Contains("no '<archive>/data.pkl' entry beside the first entry 'notes.txt'", OpenFails(foreign).Message);
    }

    [Fact]
    public void A_damaged_central_directory_entry_is_named_with_its_index_and_offset()
    {
        byte[] bytes = File.ReadAllBytes(_fixture);
        long centralOffset = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 22 + 16));
        // Skip entry 0 (46 fixed bytes + name) and break entry 1's signature.
        int firstNameLength = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)centralOffset + 28));
        int second = (int)centralOffset + 46 + firstNameLength;
        bytes[second] = (byte)'X';
        var e = OpenFails(Copy(bytes));
        Assert.Contains($"central directory entry 1 (offset {second})", e.Message);
        Assert.Contains("expected 0x02014b50", e.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_central_directory_offset_past_the_end_records_is_reported(bool inZip64Record)
    {
        byte[] bytes = File.ReadAllBytes(_fixture);
        // torch.save always writes zip64 end records; the plain record then only repeats (or saturates) the values.
        int locator = bytes.Length - 22 - 20;
        Assert.Equal(0x07064b50u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(locator)));
        if (inZip64Record)
        {
            int record = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(locator + 8));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(record + 48), (ulong)bytes.Length);
        }
        else
        {
            // Without the zip64 locator the plain record is authoritative.
            bytes.AsSpan(locator, 4).Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(bytes.Length - 22 + 16), (uint)bytes.Length);
        }
        var e = OpenFails(Copy(bytes));
        Assert.Contains($"central directory: claims", e.Message);
        Assert.Contains($"at offset {bytes.Length}", e.Message);
        Assert.Contains("truncated or its directory is damaged", e.Message);
    }

    [Fact]
    public void A_damaged_local_header_fails_only_the_tensor_that_lives_there()
    {
        byte[] bytes = File.ReadAllBytes(_fixture);
        byte[] name = Encoding.ASCII.GetBytes("checkpoint/data/7");
        int header = IndexOfLocalHeader(bytes, name);
        bytes[header] = 0;
        string tensor = TensorOfStorage("7")["model.".Length..];

        using var checkpoint = PyTorchCheckpoint.Open(Copy(bytes)); // opening reads no local headers
        var e = Assert.Throws<PyTorchFormatException>(() => checkpoint.ReadFloat32(tensor));
        Assert.Contains("zip entry 'checkpoint/data/7'", e.Message);
        Assert.Contains($"no local header at offset {header}", e.Message);
        Assert.NotEmpty(checkpoint.ReadFloat32(TensorOfStorage("8")["model.".Length..]));
    }

    [Fact]
    public void A_missing_storage_entry_names_the_entry_and_its_tensor()
    {
        var e = OpenFails(Rewrite(members => members.Where(m => m.Name != "checkpoint/data/5")));
        Assert.Contains("zip entry 'checkpoint/data/5', which is missing", e.Message);
        Assert.Contains($"tensor '{TensorOfStorage("5")}'", e.Message);
        Assert.Contains("352 storage entries", e.Message);
    }

    [Fact]
    public void A_storage_of_the_wrong_size_names_expected_and_actual_bytes()
    {
        var e = OpenFails(Rewrite(members => members.Select(m => m.Name == "checkpoint/data/10" ? m with { Data = m.Data![..^4] } : m)));
        using var intact = PyTorchCheckpoint.Open(_fixture);
        PyTorchStorageInfo storage = intact.AllTensors.Single(t => t.Storage.Key == "10").Storage;
        Assert.Contains($"needs {storage.ByteLength} bytes ({storage.ElementCount} x 4)", e.Message);
        Assert.Contains($"holds {storage.ByteLength - 4} bytes", e.Message);
        Assert.Contains("'checkpoint/data/10'", e.Message);
    }

    [Fact]
    public void A_damaged_pickle_fails_its_checksum()
    {
        byte[] bytes = File.ReadAllBytes(_fixture);
        int at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("mu_mert_agg.bias"));
        bytes[at] = (byte)'M';
        var e = OpenFails(Copy(bytes));
        Assert.Contains("zip entry 'checkpoint/data.pkl'", e.Message);
        Assert.Contains("CRC-32", e.Message);
    }

    [Fact]
    public void Compressed_entries_are_refused_with_the_reason()
    {
        var all = OpenFails(Rewrite(members => members.Select(m => m with { Deflate = true })));
        Assert.Contains("'checkpoint/data.pkl'", all.Message);
        Assert.Contains("compressed (method 8, deflate)", all.Message);

        var storage = OpenFails(Rewrite(members => members.Select(m => m.Name == "checkpoint/data/3" ? m with { Deflate = true } : m)));
        Assert.Contains("'checkpoint/data/3', which is compressed (method 8)", storage.Message);
        Assert.Contains(TensorOfStorage("3"), storage.Message);
    }

    [Fact]
    public void A_big_endian_archive_is_refused()
    {
        var e = OpenFails(Rewrite(members => members.Append(new ZipMember("checkpoint/byteorder", Encoding.ASCII.GetBytes("big")))));
        Assert.Contains("'big'-endian", e.Message);
    }

    [Fact]
    public void Views_outside_their_storage_and_mismatched_strides_are_reported()
    {
        Entry[] tooLong = [new("w", "FloatStorage", "0", 4, 0, [2, 3], [3, 1])];
        var e = OpenFails(Write(_temp, "outside.pth", tooLong, [("0", Floats(1, 2, 3, 4))]));
        Assert.Contains("tensor 'model.w'", e.Message);
        Assert.Contains("reaches element 5 but storage '0' (torch.FloatStorage, 4 elements, cpu) has only 4 elements", e.Message);

        Entry[] ranks = [new("w", "FloatStorage", "0", 4, 0, [2, 2], [1])];
        var r = OpenFails(Write(_temp, "ranks.pth", ranks, [("0", Floats(1, 2, 3, 4))]));
        Assert.Contains("has 2 dimensions but stride (1) has 1", r.Message);
    }

    [Fact]
    public void Names_that_collide_once_the_module_prefix_is_removed_are_reported()
    {
        Entry[] entries = [new("module.w", "FloatStorage", "0", 1, 0, [1], [1]), new("w", "FloatStorage", "1", 1, 0, [1], [1])];
        var e = OpenFails(Write(_temp, "collide.pth", entries, [("0", Floats(1)), ("1", Floats(2))]));
        Assert.Contains("both 'model.module.w' and 'model.w'", e.Message);
    }

    private static int IndexOfLocalHeader(byte[] bytes, byte[] name)
    {
        for (int at = 0; at <= bytes.Length - 30 - name.Length; at++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at)) == 0x04034b50 &&
                BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at + 26)) == name.Length &&
                bytes.AsSpan(at + 30, name.Length).SequenceEqual(name))
            {
                return at;
            }
        }
        throw new InvalidOperationException($"no local header for {Encoding.ASCII.GetString(name)}");
    }
}
