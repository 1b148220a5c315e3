using System.Collections.Concurrent;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Helpers;

/// <summary>Fixture checkpoints converted once per test run with <c>mga convert</c> itself.</summary>
public static class ConvertedFixtures
{
    private static readonly ConcurrentDictionary<(string, string), Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-cli-converted-").FullName;

    public static string Gguf(FixtureSet set, string type = "f32") =>
        Cache.GetOrAdd((set.Directory, type), _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, $"{set.Name}-{type}.gguf");
            Mga.Run("convert", set.Directory, path, "--type", type).Succeeded();
            return path;
        })).Value;

    /// <summary>The musicgen-tiny EnCodec (32 kHz, hop 640, 4 codebooks of 64), the model most CLI tests use.</summary>
    public static string TinyModel => Gguf(FixtureSet.ByName("musicgen-tiny"));

    public static EncodecConfig ConfigOf(string gguf)
    {
        using var file = GgufFile.Open(gguf);
        return EncodecMetadata.Read(file.Metadata);
    }
}
