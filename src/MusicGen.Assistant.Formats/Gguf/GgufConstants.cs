namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>Fixed facts of the GGUF container (see ggml's docs/gguf.md).</summary>
public static class GgufConstants
{
    /// <summary>"GGUF" read as a little-endian u32.</summary>
    public const uint Magic = 0x46554747;

    /// <summary>The only version this code reads and writes.</summary>
    public const uint Version = 3;

    public const uint DefaultAlignment = 32;

    /// <summary>Metadata key (UINT32) that overrides <see cref="DefaultAlignment"/>.</summary>
    public const string AlignmentKey = "general.alignment";

    /// <summary>ggml tensors have at most four dimensions (GGML_MAX_DIMS).</summary>
    public const int MaxDimensions = 4;

    /// <summary>ggml keeps names in a 64-byte buffer including the terminating NUL (GGML_MAX_NAME).</summary>
    public const int MaxTensorNameBytes = 63;

    /// <summary>Deepest array-of-array nesting this code writes or reads (bounds recursion on hostile files).</summary>
    public const int MaxArrayNesting = 16;

    /// <summary>Keys are limited to 2^16-1 bytes by the specification.</summary>
    public const int MaxKeyBytes = ushort.MaxValue;
}
