using System.Collections;

namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>
/// An immutable GGUF metadata array: one element type, elements kept in a typed .NET array
/// (strings as string[], nested arrays as GgufArray[], whose element types may differ from each other).
/// </summary>
public sealed class GgufArray : IEquatable<GgufArray>
{
    private readonly Array _items;

    private GgufArray(GgufValueType elementType, Array items)
    {
        ElementType = elementType;
        _items = items;
    }

    public GgufValueType ElementType { get; }

    public int Count => _items.Length;

    // Factories copy their input so the array cannot change after it was handed over.
    public static GgufArray Of(params byte[] items) => new(GgufValueType.UINT8, (byte[])items.Clone());
    public static GgufArray Of(params sbyte[] items) => new(GgufValueType.INT8, (sbyte[])items.Clone());
    public static GgufArray Of(params ushort[] items) => new(GgufValueType.UINT16, (ushort[])items.Clone());
    public static GgufArray Of(params short[] items) => new(GgufValueType.INT16, (short[])items.Clone());
    public static GgufArray Of(params uint[] items) => new(GgufValueType.UINT32, (uint[])items.Clone());
    public static GgufArray Of(params int[] items) => new(GgufValueType.INT32, (int[])items.Clone());
    public static GgufArray Of(params float[] items) => new(GgufValueType.FLOAT32, (float[])items.Clone());
    public static GgufArray Of(params bool[] items) => new(GgufValueType.BOOL, (bool[])items.Clone());
    public static GgufArray Of(params ulong[] items) => new(GgufValueType.UINT64, (ulong[])items.Clone());
    public static GgufArray Of(params long[] items) => new(GgufValueType.INT64, (long[])items.Clone());
    public static GgufArray Of(params double[] items) => new(GgufValueType.FLOAT64, (double[])items.Clone());

    public static GgufArray Of(params string[] items)
    {
        if (items.Any(s => s is null))
        {
            throw new ArgumentException("A GGUF string array cannot hold null.", nameof(items));
        }
        return new(GgufValueType.STRING, (string[])items.Clone());
    }

    public static GgufArray Of(params GgufArray[] items)
    {
        if (items.Any(a => a is null))
        {
            throw new ArgumentException("A GGUF array of arrays cannot hold null.", nameof(items));
        }
        return new(GgufValueType.ARRAY, (GgufArray[])items.Clone());
    }

    /// <summary>An empty array of the given element type.</summary>
    public static GgufArray Empty(GgufValueType elementType) => new(elementType, CreateStorage(elementType, 0));

    /// <summary>Takes ownership of storage created by <see cref="CreateStorage"/> (reader use: no copy).</summary>
    internal static GgufArray Wrap(GgufValueType elementType, Array items) => new(elementType, items);

    internal Array Items => _items;

    /// <summary>The .NET array type that holds elements of <paramref name="elementType"/>.</summary>
    internal static Array CreateStorage(GgufValueType elementType, int count) => elementType switch
    {
        GgufValueType.UINT8 => new byte[count],
        GgufValueType.INT8 => new sbyte[count],
        GgufValueType.UINT16 => new ushort[count],
        GgufValueType.INT16 => new short[count],
        GgufValueType.UINT32 => new uint[count],
        GgufValueType.INT32 => new int[count],
        GgufValueType.FLOAT32 => new float[count],
        GgufValueType.BOOL => new bool[count],
        GgufValueType.STRING => new string[count],
        GgufValueType.ARRAY => new GgufArray[count],
        GgufValueType.UINT64 => new ulong[count],
        GgufValueType.INT64 => new long[count],
        GgufValueType.FLOAT64 => new double[count],
        _ => throw new ArgumentOutOfRangeException(nameof(elementType), elementType, "Unknown GGUF value type."),
    };

    /// <summary>The elements of a numeric or BOOL array; <typeparamref name="T"/> must match <see cref="ElementType"/>.</summary>
    /// <exception cref="InvalidCastException">The element type differs.</exception>
    public ReadOnlySpan<T> AsSpan<T>() where T : unmanaged =>
        // Exact type test: the runtime would let an int[] pass as uint[] (array covariance of same-size integers).
        _items.GetType() == typeof(T[])
            ? (T[])_items
            : throw new InvalidCastException($"GGUF array holds {ElementType} elements, not {typeof(T).Name}.");

    /// <exception cref="InvalidCastException">The array does not hold strings.</exception>
    public IReadOnlyList<string> AsStrings() =>
        _items as string[] ?? throw new InvalidCastException($"GGUF array holds {ElementType} elements, not STRING.");

    /// <exception cref="InvalidCastException">The array does not hold arrays.</exception>
    public IReadOnlyList<GgufArray> AsArrays() =>
        _items as GgufArray[] ?? throw new InvalidCastException($"GGUF array holds {ElementType} elements, not ARRAY.");

    /// <summary>Element <paramref name="index"/> as a typed value.</summary>
    public GgufValue this[int index] => _items.GetValue(index) switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        float v => v,
        bool v => v,
        string v => v,
        GgufArray v => v,
        ulong v => v,
        long v => v,
        double v => v,
        _ => throw new InvalidOperationException("Unreachable: unknown element storage."),
    };

    public bool Equals(GgufArray? other) =>
        other is not null && other.ElementType == ElementType &&
        StructuralComparisons.StructuralEqualityComparer.Equals(_items, other._items);

    public override bool Equals(object? obj) => Equals(obj as GgufArray);

    public override int GetHashCode() => HashCode.Combine(ElementType, Count);

    public override string ToString() => $"ARRAY<{ElementType}>[{Count}]";
}
