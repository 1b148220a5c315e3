using System.Runtime.InteropServices;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Formats.Tests.Helpers;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Formats.Tests.Safetensors;

public sealed class SafetensorsCheckpointTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static (string, SafetensorsDType, long[], ReadOnlyMemory<byte>) F32(string name, params float[] values) =>
        (name, SafetensorsDType.F32, [values.Length], MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    private void WriteShards(string indexJson)
    {
        SafetensorsWriter.Write(_temp.File("model-00001-of-00002.safetensors"), [F32("embed.weight", 1, 2), F32("layer.0.bias", 3)]);
        SafetensorsWriter.Write(_temp.File("model-00002-of-00002.safetensors"), [F32("head.weight", 4, 5, 6)]);
        File.WriteAllText(_temp.File("model.safetensors.index.json"), indexJson);
    }

    private const string GoodIndex = """
        {"metadata": {"total_size": 24},
         "weight_map": {"embed.weight": "model-00001-of-00002.safetensors",
                        "layer.0.bias": "model-00001-of-00002.safetensors",
                        "head.weight": "model-00002-of-00002.safetensors"}}
        """;

    [Fact]
    public void Single_file_directory_opens_model_safetensors()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
        using var file = SafetensorsFile.Open(Path.Combine(set.Directory, "model.safetensors"));

        Assert.Single(checkpoint.Files);
        Assert.Equal(set.SavedTensorCount, checkpoint.Tensors.Count);
        const string codebook = "audio_encoder.quantizer.layers.0.codebook.embed";
        Assert.Equal(file.Get(codebook).Shape, checkpoint.Get(codebook).Shape);
    }

    [Fact]
    public void Sharded_checkpoint_presents_one_view_over_all_shards()
    {
        WriteShards(GoodIndex);

        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(_temp.Path);

        Assert.Equal(2, checkpoint.Files.Count);
        Assert.Equal(3, checkpoint.Tensors.Count);
        Assert.Equal([1f, 2f], checkpoint.ReadFloat32("embed.weight"));
        Assert.Equal([4f, 5f, 6f], checkpoint.ReadFloat32("head.weight"));
        Assert.EndsWith("model-00002-of-00002.safetensors", checkpoint.GetFile("head.weight").Path);
        Assert.Equal(12, checkpoint.GetBytes("head.weight").Length);
        var e = Assert.Throws<KeyNotFoundException>(() => checkpoint.Get("head.weights"));
        Assert.Contains("'head.weight'", e.Message);
    }

    [Fact]
    public void Index_pointing_at_a_missing_shard_is_refused()
    {
        WriteShards(GoodIndex.Replace("model-00002-of-00002", "model-00003-of-00003"));

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.OpenDirectory(_temp.Path));

        Assert.Contains("model.safetensors.index.json", e.Message);
        Assert.Contains("'model-00003-of-00003.safetensors', which does not exist", e.Message);
    }

    [Fact]
    public void Index_naming_a_tensor_the_shard_lacks_is_refused()
    {
        WriteShards(GoodIndex.Replace("\"head.weight\"", "\"head.bias\""));

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.OpenDirectory(_temp.Path));

        Assert.Equal("head.bias", e.TensorName);
        Assert.Contains("does not contain it", e.Message);
    }

    [Fact]
    public void Index_with_a_path_instead_of_a_file_name_is_refused()
    {
        WriteShards(GoodIndex.Replace("\"model-00002-of-00002.safetensors\"", "\"../model-00002-of-00002.safetensors\""));

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.OpenDirectory(_temp.Path));

        Assert.Equal("head.weight", e.TensorName);
        Assert.Contains("not a plain shard file name", e.Message);
    }

    [Fact]
    public void Tensor_stored_in_two_shards_is_refused()
    {
        WriteShards(GoodIndex);
        SafetensorsWriter.Write(_temp.File("model-00002-of-00002.safetensors"), [F32("head.weight", 4), F32("embed.weight", 9, 9)]);

        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsCheckpoint.OpenDirectory(_temp.Path));

        Assert.Equal("embed.weight", e.TensorName);
        Assert.Contains("also stored in", e.Message);
    }

    [Fact]
    public void Directory_without_weights_lists_its_files()
    {
        File.WriteAllText(_temp.File("config.json"), "{}");

        var e = Assert.Throws<FileNotFoundException>(() => SafetensorsCheckpoint.OpenDirectory(_temp.Path));

        Assert.Contains("model.safetensors.index.json", e.Message);
        Assert.Contains("config.json", e.Message);
    }
}
