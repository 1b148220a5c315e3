using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Server.Tests.Helpers;

/// <summary>The musicgen-tiny fixture converted once per test run, and a model set manifest over it: the service's tiny models.</summary>
public static class TinyModelSet
{
    private static readonly Lazy<string> Manifest = new(() =>
    {
        var folder = Directory.CreateTempSubdirectory("mga-server-models-").FullName;
        var gguf = Path.Combine(folder, "musicgen-tiny.gguf");
        CheckpointConversion.Convert(FixtureSet.ByName("musicgen-tiny").Directory, gguf, StorageType.F32);
        var path = Path.Combine(folder, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, new ModelSetManifest
        {
            Name = "musicgen-tiny fixture",
            TextEncoderPath = gguf, DecoderPath = gguf, CodecPath = gguf,
            TokenizerPath = FixturePaths.Get("tokenizers", "t5-unigram.model"),
            Defaults = new GenerationDefaults(),
        });
        return path;
    });

    public static string ManifestPath => Manifest.Value;
}
