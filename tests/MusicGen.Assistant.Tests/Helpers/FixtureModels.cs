using System.Collections.Concurrent;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Tests.Helpers;

/// <summary>Fixture checkpoints converted once per test run, and model set manifests over them.</summary>
public static class FixtureModels
{
    private static readonly ConcurrentDictionary<string, Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-app-converted-").FullName;

    /// <summary>The fixture set converted to one f32 GGUF (text encoder, decoder and codec of a MusicGen checkpoint).</summary>
    public static string Gguf(string setName) =>
        Cache.GetOrAdd(setName, _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, $"{setName}.gguf");
            CheckpointConversion.Convert(FixtureSet.ByName(setName).Directory, path, StorageType.F32);
            return path;
        })).Value;

    public static string TinyGguf => Gguf("musicgen-tiny");

    public static string TokenizerPath => FixturePaths.Get("tokenizers", "t5-unigram.model");

    /// <summary>A manifest over the converted musicgen-tiny fixture and the fixture T5 tokenizer, written into <paramref name="folder"/>.</summary>
    public static string WriteTinyManifest(string folder, GenerationDefaults? defaults = null) => WriteManifest(folder, "musicgen-tiny", defaults);

    /// <summary>A manifest over a converted MusicGen fixture set (e.g. musicgen-stereo-tiny) and the fixture T5 tokenizer.</summary>
    public static string WriteManifest(string folder, string setName, GenerationDefaults? defaults = null)
    {
        var gguf = Gguf(setName);
        var path = Path.Combine(folder, ModelSetManifest.FileName);
        ModelSetManifestFile.Write(path, new ModelSetManifest
        {
            Name = setName + " fixture",
            TextEncoderPath = gguf, DecoderPath = gguf, CodecPath = gguf, TokenizerPath = TokenizerPath,
            Defaults = defaults ?? new GenerationDefaults(),
        });
        return path;
    }
}
