using System.Buffers.Binary;
using System.Text;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Safetensors;

public sealed class SafetensorsWriterTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Header_is_space_padded_to_8_with_metadata_first_and_sorted_keys()
    {
        string path = _temp.File("layout.safetensors");
        SafetensorsWriter.Write(path,
            [
                ("zeta", SafetensorsDType.F16, [1], new byte[] { 0x00, 0x3C }),
                ("alpha", SafetensorsDType.U8, [3], new byte[] { 1, 2, 3 }),
            ],
            new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" });

        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)headerLength);

        Assert.Equal(0, headerLength % 8);
        Assert.Equal(
            """{"__metadata__":{"a":"1","b":"2"},"alpha":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"zeta":{"dtype":"F16","shape":[1],"data_offsets":[3,5]}}""",
            header.TrimEnd(' '));
        Assert.Equal(8 + headerLength + 5, bytes.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 0x00, 0x3C }, bytes[^5..]);
    }

    [Fact]
    public void Data_length_that_does_not_match_the_shape_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(_temp.File("bad.safetensors"),
            [("w", SafetensorsDType.F32, [2, 3], new byte[20])]));

        Assert.Contains("'w'", e.Message);
        Assert.Contains("needs 24", e.Message);
    }

    [Fact]
    public void Duplicate_and_reserved_names_are_refused()
    {
        var duplicate = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(_temp.File("dup.safetensors"),
            [("w", SafetensorsDType.U8, [1], new byte[1]), ("w", SafetensorsDType.U8, [1], new byte[1])]));
        var reserved = Assert.Throws<ArgumentException>(() => SafetensorsWriter.Write(_temp.File("res.safetensors"),
            [("__metadata__", SafetensorsDType.U8, [1], new byte[1])]));

        Assert.Contains("given twice", duplicate.Message);
        Assert.Contains("reserved", reserved.Message);
    }
}
