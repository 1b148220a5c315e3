using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;
using static MusicGen.Assistant.Formats.Tests.Helpers.RawSafetensors;

namespace MusicGen.Assistant.Formats.Tests.Safetensors;

/// <summary>Every malformed input fails with a SafetensorsFormatException naming the file, the tensor and the problem.</summary>
public sealed class SafetensorsCorruptInputTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private SafetensorsFormatException OpenFails(string path)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Open(path).Dispose());
        Assert.Contains(Path.GetFullPath(path), e.Message);
        Assert.Equal(Path.GetFullPath(path), e.FilePath);
        return e;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void File_shorter_than_the_length_prefix(int length)
    {
        string path = _temp.File("short.safetensors");
        File.WriteAllBytes(path, new byte[length]);

        var e = OpenFails(path);

        Assert.Contains($"only {length} bytes", e.Message);
    }

    [Fact]
    public void Header_length_beyond_the_end_of_the_file()
    {
        string path = Write(_temp.File("long.safetensors"), Header(Entry("w", "F32", [1], 0, 4)), new byte[4], headerLengthOverride: 5000);

        var e = OpenFails(path);

        Assert.Contains("header length 5000 exceeds", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Absurd_header_length()
    {
        string path = Write(_temp.File("absurd.safetensors"), "{}", [], headerLengthOverride: ulong.MaxValue);

        var e = OpenFails(path);

        Assert.Contains("absurd", e.Message);
        Assert.Contains(ulong.MaxValue.ToString(), e.Message);
    }

    [Theory]
    [InlineData("{\"w\": {\"dtype\": ", "not valid JSON")]
    [InlineData("{\"w\": 1} trailing", "not valid JSON")]
    [InlineData("[1, 2]", "must be a JSON object but is a JSON array")]
    [InlineData("", "not valid JSON")]
    public void Header_that_is_not_a_JSON_object(string header, string fragment)
    {
        string path = Write(_temp.File("json.safetensors"), header, []);

        var e = OpenFails(path);

        Assert.Contains(fragment, e.Message);
    }

    public static TheoryData<string, string, int, string> BadEntries => new()
    {
        { "missing dtype", "{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "no 'dtype' field" },
        { "dtype not a string", "{\"w\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "'dtype' must be a string but is a JSON number" },
        { "unknown dtype", Header(Entry("w", "F12", [1], 0, 4)), 4, "unknown dtype 'F12'" },
        { "missing shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4, "no 'shape' field" },
        { "shape not an array", "{\"w\":{\"dtype\":\"F32\",\"shape\":\"4\",\"data_offsets\":[0,4]}}", 4, "'shape' must be an array of integers but is a JSON string" },
        { "fractional dim", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4, "'shape'[0] must be an integer but is 1.5" },
        { "negative dim", Header(Entry("w", "F32", [2, -2], 0, 16)), 16, "'shape'[1] = -2 is negative" },
        { "missing data_offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4, "no 'data_offsets' field" },
        { "three offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 8, "must hold 2 integers but holds 3" },
        { "begin after end", Header(Entry("w", "F32", [1], 8, 4)), 8, "begin after they end" },
        { "wrong byte size", Header(Entry("w", "F32", [3], 0, 8)), 8, "span 8 bytes but shape [3] of F32 needs 3 x 4 = 12 bytes" },
        { "offsets out of range", Header(Entry("w", "F32", [4], 64, 80)), 16, "truncated" },
        { "metadata not strings", "{\"__metadata__\":{\"format\":1},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4, "value of 'format' must be a string" },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public void Bad_tensor_entry_names_the_tensor(string description, string header, int dataLength, string fragment)
    {
        string path = Write(_temp.File("entry.safetensors"), header, new byte[dataLength]);

        var e = OpenFails(path);

        string expectedTensor = description == "metadata not strings" ? "__metadata__" : "w";
        Assert.Equal(expectedTensor, e.TensorName);
        Assert.Contains($"tensor '{expectedTensor}'", e.Message);
        Assert.Contains(fragment, e.Message);
    }

    [Fact]
    public void Truncated_file_names_the_tensor_whose_data_is_cut_off()
    {
        string path = _temp.File("cut.safetensors");
        SafetensorsWriter.Write(path,
        [
            ("a", SafetensorsDType.F32, [4], new byte[16]),
            ("b", SafetensorsDType.F32, [4], new byte[16]),
        ]);
        byte[] whole = File.ReadAllBytes(path);
        File.WriteAllBytes(path, whole[..^3]);

        var e = OpenFails(path);

        Assert.Equal("b", e.TensorName);
        Assert.Contains("truncated", e.Message);
        Assert.Contains($"only {whole.Length - 3} bytes", e.Message);
    }

    [Fact]
    public void Overlapping_tensors_name_both()
    {
        string header = Header(Entry("first", "F32", [4], 0, 16), Entry("second", "F32", [2], 8, 16));
        string path = Write(_temp.File("overlap.safetensors"), header, new byte[16]);

        var e = OpenFails(path);

        Assert.Contains("tensor 'second'", e.Message);
        Assert.Contains("overlaps tensor 'first'", e.Message);
    }

    [Fact]
    public void Empty_tensors_may_share_an_offset_with_data()
    {
        string header = Header(Entry("data", "F32", [4], 0, 16), Entry("empty", "F32", [0], 8, 8));
        string path = Write(_temp.File("empty.safetensors"), header, new byte[16]);

        using var file = SafetensorsFile.Open(path);

        Assert.Equal(0, file.Get("empty").ByteLength);
    }

    [Fact]
    public void Duplicate_tensor_names()
    {
        string header = Header(Entry("w", "F32", [1], 0, 4), Entry("w", "F32", [1], 4, 8));
        string path = Write(_temp.File("dup.safetensors"), header, new byte[8]);

        var e = OpenFails(path);

        Assert.Equal("w", e.TensorName);
        Assert.Contains("more than once", e.Message);
    }
}
