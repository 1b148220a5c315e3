namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>Metadata value types and their on-disk ids (<c>enum gguf_type</c>).</summary>
public enum GgufValueType : uint
{
    UINT8 = 0,
    INT8 = 1,
    UINT16 = 2,
    INT16 = 3,
    UINT32 = 4,
    INT32 = 5,
    FLOAT32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    UINT64 = 10,
    INT64 = 11,
    FLOAT64 = 12,
}
