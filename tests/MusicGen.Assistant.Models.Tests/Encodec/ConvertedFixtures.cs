using System.Collections.Concurrent;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Conversion;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Encodec;

/// <summary>Each fixture checkpoint converted once per test run by our own converter (to a temp folder).</summary>
internal static class ConvertedFixtures
{
    private static readonly ConcurrentDictionary<(string, StorageType), Lazy<string>> Cache = new();
    private static readonly string Root = Directory.CreateTempSubdirectory("mga-converted-").FullName;

    public static string Gguf(FixtureSet set, StorageType type = StorageType.F32) =>
        Cache.GetOrAdd((set.Directory, type), _ => new Lazy<string>(() =>
        {
            var path = Path.Combine(Root, $"{set.Name}-{StorageTypes.Name(type)}.gguf");
            CheckpointConversion.Convert(set.Directory, path, type);
            return path;
        })).Value;
}
