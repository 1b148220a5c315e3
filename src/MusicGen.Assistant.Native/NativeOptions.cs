namespace MusicGen.Assistant.Native;

/// <summary>How the native ggml libraries are found and how compute is set up; every field has a sensible default.</summary>
public sealed record NativeOptions
{
    /// <summary>Environment variable naming a directory that holds the ggml libraries.</summary>
    public const string DirectoryVariable = "MGA_NATIVES";

    /// <summary>Environment variable overriding the root of the project cache (default: the repository's .cache).</summary>
    public const string CacheVariable = "MGA_CACHE";

    /// <summary>Environment variable setting the CPU thread count.</summary>
    public const string ThreadsVariable = "MGA_THREADS";

    /// <summary>A directory holding libggml-base.so, libggml*.so and the backends; tried before everything else.</summary>
    public string? Directory { get; init; }

    /// <summary>Prefer the CUDA package in the cache when both are present.</summary>
    public bool PreferCuda { get; init; }

    /// <summary>Forward ggml's own log lines (info and debug too) to standard error.</summary>
    public bool VerboseNativeLog { get; init; }
}
