using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>Copies of the m2ugen-tiny checkpoint with tensors dropped, renamed or reshaped, for error tests.</summary>
internal static class DerivedCheckpoints
{
    public static FixtureSet Set => FixtureSet.ByName("m2ugen-tiny");

    /// <summary>
    /// A checkpoint directory whose model.safetensors holds each tensor as <paramref name="edit"/> returns it (null
    /// drops it) plus <paramref name="extra"/> F32 tensors, next to the fixture's config.json or <paramref name="configJson"/>.
    /// </summary>
    public static string Make(string name, Func<string, long[], byte[], (string Name, long[] Shape, byte[] Bytes)?> edit, string? configJson = null,
        params (string Name, long[] Shape, byte[] Bytes)[] extra)
    {
        var dir = Directory.CreateTempSubdirectory($"mga-m2ugen-{name}-").FullName;
        File.WriteAllText(Path.Combine(dir, "config.json"), configJson ?? File.ReadAllText(Set.ConfigPath));
        using var source = SafetensorsCheckpoint.OpenDirectory(Set.Directory);
        var tensors = new List<(string, SafetensorsDType, long[], ReadOnlyMemory<byte>)>();
        foreach (var t in source.Tensors)
            if (edit(t.Name, t.Shape, source.GetBytes(t.Name).ToArray()) is { } e)
                tensors.Add((e.Name, t.DType, e.Shape, e.Bytes));
        tensors.AddRange(extra.Select(e => (e.Name, SafetensorsDType.F32, e.Shape, (ReadOnlyMemory<byte>)e.Bytes)));
        SafetensorsWriter.Write(Path.Combine(dir, "model.safetensors"), tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return dir;
    }

    public static string Without(string name, params string[] dropped) =>
        Make(name, (n, s, b) => dropped.Contains(n) ? null : (n, s, b));
}
