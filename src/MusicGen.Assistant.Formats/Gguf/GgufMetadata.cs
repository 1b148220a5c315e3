using System.Collections;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>
/// Ordered GGUF key/value metadata with strict typed accessors: a getter throws a
/// <see cref="GgufFormatException"/> naming the file, the key and the actual type when the key is missing
/// or holds another type (no silent integer or float conversions).
/// </summary>
public sealed class GgufMetadata : IReadOnlyList<KeyValuePair<string, GgufValue>>
{
    private readonly List<KeyValuePair<string, GgufValue>> _entries = [];
    private readonly Dictionary<string, GgufValue> _byKey = new(StringComparer.Ordinal);

    internal GgufMetadata(string sourcePath) => SourcePath = sourcePath;

    /// <summary>The file the metadata was read from or is being written to (used in messages).</summary>
    public string SourcePath { get; }

    public int Count => _entries.Count;

    public KeyValuePair<string, GgufValue> this[int index] => _entries[index];

    /// <summary>Keys in file order.</summary>
    public IEnumerable<string> Keys => _entries.Select(e => e.Key);

    internal bool TryAdd(string key, GgufValue value)
    {
        if (!_byKey.TryAdd(key, value))
        {
            return false;
        }
        _entries.Add(new(key, value));
        return true;
    }

    public bool ContainsKey(string key) => _byKey.ContainsKey(key);

    public bool TryGet(string key, out GgufValue value) => _byKey.TryGetValue(key, out value!);

    /// <summary>The value of <paramref name="key"/>, of any type.</summary>
    public GgufValue Get(string key)
    {
        if (_byKey.TryGetValue(key, out GgufValue? value))
        {
            return value;
        }
        throw new GgufFormatException(SourcePath, GgufFormatException.Key(key),
            $"is missing ({Count} keys present)." + NameSuggestions.Describe(key, _byKey.Keys, 3));
    }

    /// <summary>The value of <paramref name="key"/>, which must have type <paramref name="expected"/>.</summary>
    public GgufValue Get(string key, GgufValueType expected)
    {
        GgufValue value = Get(key);
        if (value.Type != expected)
        {
            string actual = value.Type == GgufValueType.ARRAY ? $"an array of {value.AsArray().ElementType}" : value.Type.ToString();
            throw new GgufFormatException(SourcePath, GgufFormatException.Key(key), $"has type {actual}, expected {expected}.");
        }
        return value;
    }

    public byte GetUInt8(string key) => Get(key, GgufValueType.UINT8).AsUInt8();
    public sbyte GetInt8(string key) => Get(key, GgufValueType.INT8).AsInt8();
    public ushort GetUInt16(string key) => Get(key, GgufValueType.UINT16).AsUInt16();
    public short GetInt16(string key) => Get(key, GgufValueType.INT16).AsInt16();
    public uint GetUInt32(string key) => Get(key, GgufValueType.UINT32).AsUInt32();
    public int GetInt32(string key) => Get(key, GgufValueType.INT32).AsInt32();
    public float GetFloat32(string key) => Get(key, GgufValueType.FLOAT32).AsFloat32();
    public bool GetBool(string key) => Get(key, GgufValueType.BOOL).AsBool();
    public ulong GetUInt64(string key) => Get(key, GgufValueType.UINT64).AsUInt64();
    public long GetInt64(string key) => Get(key, GgufValueType.INT64).AsInt64();
    public double GetFloat64(string key) => Get(key, GgufValueType.FLOAT64).AsFloat64();
    public string GetString(string key) => Get(key, GgufValueType.STRING).AsString();
    public GgufArray GetArray(string key) => Get(key, GgufValueType.ARRAY).AsArray();

    /// <summary>The array under <paramref name="key"/>, whose elements must have type <paramref name="elementType"/>.</summary>
    public GgufArray GetArray(string key, GgufValueType elementType)
    {
        GgufArray array = GetArray(key);
        if (array.ElementType != elementType)
        {
            throw new GgufFormatException(SourcePath, GgufFormatException.Key(key),
                $"is an array of {array.ElementType}, expected an array of {elementType}.");
        }
        return array;
    }

    public IReadOnlyList<string> GetStringArray(string key) => GetArray(key, GgufValueType.STRING).AsStrings();
    public ReadOnlySpan<float> GetFloat32Array(string key) => GetArray(key, GgufValueType.FLOAT32).AsSpan<float>();
    public ReadOnlySpan<int> GetInt32Array(string key) => GetArray(key, GgufValueType.INT32).AsSpan<int>();
    public ReadOnlySpan<uint> GetUInt32Array(string key) => GetArray(key, GgufValueType.UINT32).AsSpan<uint>();
    public ReadOnlySpan<long> GetInt64Array(string key) => GetArray(key, GgufValueType.INT64).AsSpan<long>();

    public IEnumerator<KeyValuePair<string, GgufValue>> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
