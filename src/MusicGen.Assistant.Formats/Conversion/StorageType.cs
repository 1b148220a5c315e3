namespace MusicGen.Assistant.Formats.Conversion;

/// <summary>The storage type asked for on the command line (<c>--type</c>).</summary>
public enum StorageType
{
    F32,
    F16,
    Q8_0,
    Q4_0,
}

public static class StorageTypes
{
    public static StorageType Parse(string text) => text.ToLowerInvariant() switch
    {
        "f32" => StorageType.F32,
        "f16" => StorageType.F16,
        "q8_0" or "q8" => StorageType.Q8_0,
        "q4_0" or "q4" => StorageType.Q4_0,
        _ => throw new ArgumentException($"unknown storage type '{text}' (use f32, f16, q8_0 or q4_0)"),
    };

    public static string Name(StorageType t) => t.ToString().ToLowerInvariant();
}
