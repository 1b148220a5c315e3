using System.Buffers.Binary;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Formats.Tests.Safetensors;

/// <summary>Reads the real musicgen-tiny checkpoint written by Hugging Face save_pretrained.</summary>
public sealed class SafetensorsFixtureTests
{
    private const string CodebookName = "audio_encoder.quantizer.layers.0.codebook.embed";

    private static FixtureSet Set => FixtureSet.ByName("musicgen-tiny");

    private static string FixtureModel()
    {
        string path = FixturePaths.Get("musicgen-tiny", "model.safetensors");
        Assert.True(File.Exists(path), $"Fixture missing: {path} (set {FixturePaths.EnvironmentVariable}).");
        return path;
    }

    /// <summary>[codebook_size, codebook_dim] of the fixture's EnCodec, from its config.json.</summary>
    private static long[] CodebookShape()
    {
        var codec = Set.Config["audio_encoder"]!;
        var size = codec["codebook_size"]!.GetValue<long>();
        return [size, (codec["codebook_dim"] ?? codec["hidden_size"])!.GetValue<long>()];
    }

    [Fact]
    public void Fixture_has_its_saved_float32_tensors_and_pt_metadata()
    {
        using var file = SafetensorsFile.Open(FixtureModel());

        Assert.Equal(Set.SavedTensorCount, file.Tensors.Count);
        Assert.All(file.Tensors, t => Assert.Equal(SafetensorsDType.F32, t.DType));
        Assert.Equal("pt", file.Metadata["format"]);
        // save_pretrained lays tensors out contiguously, so the data section ends exactly at the file end.
        Assert.Equal(file.FileLength, file.Tensors.Max(t => t.ByteOffset + t.ByteLength));
        Assert.Equal(file.FileLength - file.DataOffset, file.Tensors.Sum(t => t.ByteLength));
    }

    [Fact]
    public void Codebook_has_the_shape_and_values_stored_in_the_file()
    {
        string path = FixtureModel();
        using var file = SafetensorsFile.Open(path);

        SafetensorsTensorInfo codebook = file.Get(CodebookName);
        Assert.Equal(CodebookShape(), codebook.Shape);
        Assert.Equal(CodebookShape()[0] * CodebookShape()[1] * 4, codebook.ByteLength);
        Assert.Equal(0, codebook.ByteOffset % 4); // contiguous F32 data after an 8-aligned header

        float[] values = file.ReadFloat32(CodebookName);

        // Independent read of the same bytes through a plain FileStream at the reported offset.
        byte[] raw = new byte[codebook.ByteLength];
        using (var stream = File.OpenRead(path))
        {
            stream.Seek(codebook.ByteOffset, SeekOrigin.Begin);
            stream.ReadExactly(raw);
        }
        for (int i = 0; i < values.Length; i++)
        {
            Assert.Equal(BinaryPrimitives.ReadSingleLittleEndian(raw.AsSpan(4 * i)), values[i]);
        }
        // The codebooks were initialised N(0, 1): a zero-filled or misaligned read would not look like that.
        double mean = values.Average();
        double variance = values.Select(v => (v - mean) * (v - mean)).Average();
        Assert.InRange(mean, -0.2, 0.2);
        Assert.InRange(variance, 0.7, 1.3);
    }

    [Fact]
    public void Rewriting_the_fixture_with_SafetensorsWriter_reproduces_the_file_byte_for_byte()
    {
        using var temp = new TempDirectory();
        string copy = temp.File("copy.safetensors");
        using (var original = SafetensorsFile.Open(FixtureModel()))
        {
            var tensors = original.Tensors
                .Select(t => (t.Name, t.DType, t.Shape, (ReadOnlyMemory<byte>)original.GetBytes(t).ToArray()))
                .ToList();
            SafetensorsWriter.Write(copy, tensors, original.Metadata);
        }

        // Same layout rules as the reference writer: compact JSON, metadata first, sorted keys, space padding.
        Assert.Equal(File.ReadAllBytes(FixtureModel()), File.ReadAllBytes(copy));

        using var reread = SafetensorsFile.Open(copy);
        using var source = SafetensorsFile.Open(FixtureModel());
        Assert.Equal(source.ReadFloat32(CodebookName), reread.ReadFloat32(CodebookName));
    }

    [Fact]
    public void Unknown_tensor_name_lists_close_names()
    {
        using var file = SafetensorsFile.Open(FixtureModel());

        var e = Assert.Throws<KeyNotFoundException>(() => file.Get("audio_encoder.quantizer.layers.0.codebook.embedd"));

        Assert.Contains(file.Path, e.Message);
        Assert.Contains($"'{CodebookName}'", e.Message);
    }

    [Fact]
    public void Float_read_into_a_wrong_sized_destination_is_refused()
    {
        using var file = SafetensorsFile.Open(FixtureModel());

        var elements = CodebookShape()[0] * CodebookShape()[1];
        var e = Assert.Throws<ArgumentException>(() => file.ReadFloat32(CodebookName, new float[elements - 1]));

        Assert.Contains(CodebookName, e.Message);
        Assert.Contains(elements.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
    }
}
