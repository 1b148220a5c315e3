namespace MusicGen.Assistant.Native.Interop;

/// <summary>Logical library names used in every import; <see cref="NativeLibraryLocator"/> maps them to files.</summary>
internal static class NativeNames
{
    /// <summary>Core tensor ops, graphs, gguf, allocators, backend-neutral APIs (libggml-base.so).</summary>
    public const string GgmlBase = "ggml-base";

    /// <summary>The backend registry and dynamic backend loading (libggml.v0.5.0.so or a user's libggml.so).</summary>
    public const string Ggml = "ggml";
}
