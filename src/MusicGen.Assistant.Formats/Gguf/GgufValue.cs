namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>
/// One typed GGUF metadata value. Scalars are kept as raw bits (so float NaN payloads and -0 round-trip),
/// strings and arrays as references. Implicit conversions make the .NET type choose the GGUF type:
/// <c>GgufValue v = 5u;</c> is a UINT32.
/// </summary>
public sealed class GgufValue : IEquatable<GgufValue>
{
    private readonly ulong _bits;
    private readonly object? _reference;

    private GgufValue(GgufValueType type, ulong bits, object? reference)
    {
        Type = type;
        _bits = bits;
        _reference = reference;
    }

    public GgufValueType Type { get; }

    public static GgufValue FromUInt8(byte v) => new(GgufValueType.UINT8, v, null);
    public static GgufValue FromInt8(sbyte v) => new(GgufValueType.INT8, (byte)v, null);
    public static GgufValue FromUInt16(ushort v) => new(GgufValueType.UINT16, v, null);
    public static GgufValue FromInt16(short v) => new(GgufValueType.INT16, (ushort)v, null);
    public static GgufValue FromUInt32(uint v) => new(GgufValueType.UINT32, v, null);
    public static GgufValue FromInt32(int v) => new(GgufValueType.INT32, (uint)v, null);
    public static GgufValue FromFloat32(float v) => new(GgufValueType.FLOAT32, BitConverter.SingleToUInt32Bits(v), null);
    public static GgufValue FromBool(bool v) => new(GgufValueType.BOOL, v ? 1UL : 0UL, null);
    public static GgufValue FromUInt64(ulong v) => new(GgufValueType.UINT64, v, null);
    public static GgufValue FromInt64(long v) => new(GgufValueType.INT64, (ulong)v, null);
    public static GgufValue FromFloat64(double v) => new(GgufValueType.FLOAT64, BitConverter.DoubleToUInt64Bits(v), null);
    public static GgufValue FromString(string v) => new(GgufValueType.STRING, 0, v ?? throw new ArgumentNullException(nameof(v)));
    public static GgufValue FromArray(GgufArray v) => new(GgufValueType.ARRAY, 0, v ?? throw new ArgumentNullException(nameof(v)));

    public static implicit operator GgufValue(byte v) => FromUInt8(v);
    public static implicit operator GgufValue(sbyte v) => FromInt8(v);
    public static implicit operator GgufValue(ushort v) => FromUInt16(v);
    public static implicit operator GgufValue(short v) => FromInt16(v);
    public static implicit operator GgufValue(uint v) => FromUInt32(v);
    public static implicit operator GgufValue(int v) => FromInt32(v);
    public static implicit operator GgufValue(float v) => FromFloat32(v);
    public static implicit operator GgufValue(bool v) => FromBool(v);
    public static implicit operator GgufValue(ulong v) => FromUInt64(v);
    public static implicit operator GgufValue(long v) => FromInt64(v);
    public static implicit operator GgufValue(double v) => FromFloat64(v);
    public static implicit operator GgufValue(string v) => FromString(v);
    public static implicit operator GgufValue(GgufArray v) => FromArray(v);

    public byte AsUInt8() => (byte)Bits(GgufValueType.UINT8);
    public sbyte AsInt8() => (sbyte)Bits(GgufValueType.INT8);
    public ushort AsUInt16() => (ushort)Bits(GgufValueType.UINT16);
    public short AsInt16() => (short)Bits(GgufValueType.INT16);
    public uint AsUInt32() => (uint)Bits(GgufValueType.UINT32);
    public int AsInt32() => (int)Bits(GgufValueType.INT32);
    public float AsFloat32() => BitConverter.UInt32BitsToSingle((uint)Bits(GgufValueType.FLOAT32));
    public bool AsBool() => Bits(GgufValueType.BOOL) != 0;
    public ulong AsUInt64() => Bits(GgufValueType.UINT64);
    public long AsInt64() => (long)Bits(GgufValueType.INT64);
    public double AsFloat64() => BitConverter.UInt64BitsToDouble(Bits(GgufValueType.FLOAT64));
    public string AsString() => (string)Reference(GgufValueType.STRING);
    public GgufArray AsArray() => (GgufArray)Reference(GgufValueType.ARRAY);

    private ulong Bits(GgufValueType expected)
    {
        ExpectType(expected);
        return _bits;
    }

    private object Reference(GgufValueType expected)
    {
        ExpectType(expected);
        return _reference!;
    }

    private void ExpectType(GgufValueType expected)
    {
        if (Type != expected)
        {
            throw new InvalidCastException($"GGUF value is {Type}, not {expected}.");
        }
    }

    public bool Equals(GgufValue? other) =>
        other is not null && other.Type == Type && other._bits == _bits && Equals(other._reference, _reference);

    public override bool Equals(object? obj) => Equals(obj as GgufValue);

    public override int GetHashCode() => HashCode.Combine(Type, _bits, _reference);

    public override string ToString() => Type switch
    {
        GgufValueType.UINT8 => $"UINT8 {AsUInt8()}",
        GgufValueType.INT8 => $"INT8 {AsInt8()}",
        GgufValueType.UINT16 => $"UINT16 {AsUInt16()}",
        GgufValueType.INT16 => $"INT16 {AsInt16()}",
        GgufValueType.UINT32 => $"UINT32 {AsUInt32()}",
        GgufValueType.INT32 => $"INT32 {AsInt32()}",
        GgufValueType.FLOAT32 => $"FLOAT32 {AsFloat32():R}",
        GgufValueType.BOOL => $"BOOL {AsBool()}",
        GgufValueType.UINT64 => $"UINT64 {AsUInt64()}",
        GgufValueType.INT64 => $"INT64 {AsInt64()}",
        GgufValueType.FLOAT64 => $"FLOAT64 {AsFloat64():R}",
        GgufValueType.STRING => $"STRING \"{AsString()}\"",
        _ => AsArray().ToString(),
    };
}
