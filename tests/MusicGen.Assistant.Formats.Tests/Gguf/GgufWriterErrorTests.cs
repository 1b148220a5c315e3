using MusicGen.Assistant.Native;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Gguf;

/// <summary>Misuse of the streaming writer fails with messages naming the output, the key or tensor, and the rule.</summary>
public sealed class GgufWriterErrorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private GgufWriter NewWriter(out string path)
    {
        path = _temp.File(Guid.NewGuid().ToString("N") + ".gguf");
        return new GgufWriter(path);
    }

    [Fact]
    public void Duplicate_key_and_duplicate_tensor_are_refused()
    {
        using var writer = NewWriter(out string path);
        writer.SetMetadata("general.name", "a");
        writer.AddTensor("w", GgmlType.F32, [4]);

        var key = Assert.Throws<ArgumentException>(() => writer.SetMetadata("general.name", "b"));
        var tensor = Assert.Throws<ArgumentException>(() => writer.AddTensor("w", GgmlType.F16, [4]));

        Assert.Contains("metadata key 'general.name' is already set (to STRING \"a\")", key.Message);
        Assert.Contains(path, key.Message);
        Assert.Contains("tensor 'w' is already declared", tensor.Message);
    }

    [Fact]
    public void Byte_length_must_match_type_and_shape()
    {
        using var writer = NewWriter(out _);

        var e = Assert.Throws<ArgumentException>(() => writer.AddTensor("q", GgmlType.Q8_0, [64, 3], byteLength: 192));

        Assert.Contains("tensor 'q': 192 bytes declared but q8_0 with ne=[64, 3] takes 204", e.Message);
    }

    [Fact]
    public void Row_length_must_be_a_multiple_of_the_block_size()
    {
        using var writer = NewWriter(out _);

        var e = Assert.Throws<ArgumentException>(() => writer.AddTensor("q", GgmlType.Q8_0, [33, 2]));

        Assert.Contains("tensor 'q': ne[0]=33 is not a multiple of the block size 32 of q8_0", e.Message);
    }

    [Fact]
    public void Names_and_dimensions_follow_ggml_limits()
    {
        using var writer = NewWriter(out _);
        writer.AddTensor(new string('n', 63), GgmlType.F32, [1]);

        var longName = Assert.Throws<ArgumentException>(() => writer.AddTensor(new string('n', 64), GgmlType.F32, [1]));
        var fiveDims = Assert.Throws<ArgumentException>(() => writer.AddTensor("x", GgmlType.F32, [1, 1, 1, 1, 1]));
        var noDims = Assert.Throws<ArgumentException>(() => writer.AddTensor("y", GgmlType.F32, []));

        Assert.Contains("1 to 63 bytes, not 64", longName.Message);
        Assert.Contains("5 dimensions given", fiveDims.Message);
        Assert.Contains("0 dimensions given", noDims.Message);
    }

    [Fact]
    public void Alignment_must_be_a_uint32_power_of_two()
    {
        using var writer = NewWriter(out _);

        Assert.Contains("UINT32 power of two", Assert.Throws<ArgumentException>(() => writer.SetMetadata("general.alignment", 64)).Message);
        Assert.Contains("UINT32 power of two", Assert.Throws<ArgumentException>(() => writer.SetMetadata("general.alignment", 48u)).Message);
    }

    [Fact]
    public void Unencodable_strings_are_refused_when_set()
    {
        using var writer = NewWriter(out _);

        var e = Assert.Throws<ArgumentException>(() => writer.SetMetadata("tokens", GgufArray.Of("ok", "\ud800")));

        Assert.Contains("'tokens'", e.Message);
        Assert.Contains("UTF-8", e.Message);
    }

    [Fact]
    public void Data_written_out_of_declaration_order_names_both_tensors()
    {
        using var writer = NewWriter(out _);
        writer.AddTensor("first", GgmlType.F32, [2]);
        writer.AddTensor("second", GgmlType.F32, [2]);
        writer.WriteHeader();

        var e = Assert.Throws<InvalidOperationException>(() => writer.WriteTensorData("second", new byte[8]));

        Assert.Contains("tensor 'second' (#1) is written out of order: tensor 'first' (#0) comes first", e.Message);
    }

    [Fact]
    public void Rewriting_a_finished_tensor_undeclared_names_and_excess_bytes_are_refused()
    {
        using var writer = NewWriter(out _);
        writer.AddTensor("a", GgmlType.F32, [1]);
        writer.AddTensor("b", GgmlType.F32, [1]);
        writer.WriteHeader();
        writer.WriteTensorData("a", new byte[4]);

        var again = Assert.Throws<InvalidOperationException>(() => writer.WriteTensorData("a", new byte[4]));
        var unknown = Assert.Throws<ArgumentException>(() => writer.WriteTensorData("c", new byte[4]));
        var tooMuch = Assert.Throws<ArgumentException>(() => writer.WriteTensorData("b", new byte[5]));

        Assert.Contains("tensor 'a' is already completely written", again.Message);
        Assert.Contains("tensor 'c' was never declared", unknown.Message);
        Assert.Contains("tensor 'b' is 4 bytes but 5 were given", tooMuch.Message);
    }

    [Fact]
    public void Finish_with_missing_data_names_the_incomplete_tensor()
    {
        using var writer = NewWriter(out _);
        writer.AddTensor("a", GgmlType.F32, [2]);
        writer.AddTensor("b", GgmlType.F32, [2]);
        writer.WriteHeader();
        writer.WriteTensorData("a", new byte[8]);
        writer.WriteTensorData("b", new byte[4]);

        var e = Assert.Throws<InvalidOperationException>(() => writer.Finish());

        Assert.Contains("tensor 'b' (#1) is incomplete (4 of 8 bytes written); 1 of 2 tensors are missing data", e.Message);
    }

    [Fact]
    public void Calls_in_the_wrong_phase_are_refused()
    {
        using var writer = NewWriter(out _);
        writer.AddTensor("a", GgmlType.F32, [1]);

        var dataFirst = Assert.Throws<InvalidOperationException>(() => writer.WriteTensorData("a", new byte[4]));
        var finishFirst = Assert.Throws<InvalidOperationException>(() => writer.Finish());
        writer.WriteHeader();
        var lateKey = Assert.Throws<InvalidOperationException>(() => writer.SetMetadata("k", 1));
        var lateTensor = Assert.Throws<InvalidOperationException>(() => writer.AddTensor("b", GgmlType.F32, [1]));

        Assert.Contains("call WriteHeader before writing tensor data", dataFirst.Message);
        Assert.Contains("WriteHeader was never called", finishFirst.Message);
        Assert.Contains("metadata can only be set before WriteHeader", lateKey.Message);
        Assert.Contains("tensors can only be added before WriteHeader", lateTensor.Message);
    }

    [Fact]
    public void Unfinished_writer_leaves_no_file_behind()
    {
        string path;
        using (var writer = NewWriter(out path))
        {
            writer.AddTensor("a", GgmlType.F32, [1]);
            writer.WriteHeader();
            Assert.True(File.Exists(path + ".partial"));
        }

        Assert.False(File.Exists(path));
        Assert.False(File.Exists(path + ".partial"));
    }

    [Fact]
    public void Finished_file_replaces_an_existing_one()
    {
        string path = _temp.File("replace.gguf");
        File.WriteAllText(path, "old content");

        GgufWriter.Write(path, [new("k", 2u)], []);

        using var file = GgufFile.Open(path);
        Assert.Equal(2u, file.Metadata.GetUInt32("k"));
        Assert.False(File.Exists(path + ".partial"));
    }
}
