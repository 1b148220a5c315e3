namespace MusicGen.Assistant.Formats.Conversion;

/// <summary>The storage type asked for on the command line (<c>--type</c>).</summary>
public enum StorageType
{
    F32,
    F16,

    /// <summary>bfloat16 matrices: f32's range with 8 significant bits; ggml multiplies them with bf16 dot products
    /// (AVX512-BF16 where the CPU has it), about twice f32's speed in compute-bound products.</summary>
    BF16,
    Q8_0,
    Q4_0,

    /// <summary>ggml's 4-bit k-quant (super-blocks of 256): matrices whose rows are not whole super-blocks take Q5_0
    /// instead, as llama.cpp's quantizer does.</summary>
    Q4_K,
}

public static class StorageTypes
{
    public static StorageType Parse(string text) => text.ToLowerInvariant() switch
    {
        "f32" => StorageType.F32,
        "f16" => StorageType.F16,
        "bf16" => StorageType.BF16,
        "q8_0" or "q8" => StorageType.Q8_0,
        "q4_0" or "q4" => StorageType.Q4_0,
        "q4_k" => StorageType.Q4_K,
        _ => throw new ArgumentException($"unknown storage type '{text}' (use f32, f16, bf16, q8_0, q4_0 or q4_k)"),
    };

    public static string Name(StorageType t) => t == StorageType.Q4_K ? "q4_K" : t.ToString().ToLowerInvariant();

    /// <summary>
    /// llama.cpp's <c>general.file_type</c> number for the type (llama.h <c>enum llama_ftype</c>: ALL_F32 0,
    /// MOSTLY_F16 1, MOSTLY_Q4_0 2, MOSTLY_Q8_0 7, MOSTLY_Q4_K_M 15, MOSTLY_BF16 32); llama.cpp reads the key as a uint32.
    /// </summary>
    public static uint LlamaFileType(StorageType t) => t switch
    {
        StorageType.F32 => 0,
        StorageType.F16 => 1,
        StorageType.BF16 => 32,
        StorageType.Q4_0 => 2,
        StorageType.Q8_0 => 7,
        StorageType.Q4_K => 15,
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };
}
