using System.Text;
using MusicGen.Assistant.Formats.Tests.Helpers;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Formats.Tests.Fixtures;

/// <summary>A malformed vectors.json (the fixtures' index) is reported with the file, the vector and the field.</summary>
public sealed class VectorsJsonTests
{
    [Theory]
    [InlineData("""{"vectors": [{"name": 5, "shape": [1], "dtype": "float32", "call": "input"}]}""", "vectors[0].name should be a string, found 5")]
    [InlineData("""{"vectors": [{"name": "x", "shape": [-1], "dtype": "float32", "call": "input"}]}""", "vectors[0].shape should be a list of non-negative integers")]
    [InlineData("""{"vectors": [{"name": "x", "shape": [1], "dtype": "float32"}]}""", "vectors[0].call should be a string, found nothing")]
    [InlineData("""{"vectors": [{"name": "x", "shape": [1], "dtype": "float32", "call": "f(x)", "tolerance": {"atol": "a"}}]}""", "vectors[0].tolerance should be")]
    [InlineData("""{"vectors": [7]}""", "vectors[0] is not an object")]
    [InlineData("""{"vectors": """, "not valid JSON")]
    [InlineData("""{"set": "x"}""", "no 'vectors' list")]
    public void Malformed_vectors_json_names_the_file_and_field(string json, string expected)
    {
        using var dir = new TempDirectory();
        var path = dir.File("vectors.json");
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes(json));
        var e = Assert.Throws<InvalidDataException>(() => FixtureSet.Load(dir.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Invalid_utf8_in_vectors_json_names_the_file()
    {
        using var dir = new TempDirectory();
        var path = dir.File("vectors.json");
        File.WriteAllBytes(path, [.. "{\"vectors\": [], \"set\": \""u8, 0xC3, .. "\"}"u8]);
        var e = Assert.Throws<InvalidDataException>(() => FixtureSet.Load(dir.Path));
        Assert.Contains(path, e.Message);
        Assert.Contains("UTF-8", e.Message);
    }
}
