using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Formats.Tests.Helpers;

namespace MusicGen.Assistant.Formats.Tests.Gguf;

public sealed class GgufMetadataRoundTripTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private static readonly (string Key, GgufValue Value)[] EveryType =
    [
        ("t.u8", (byte)255),
        ("t.i8", (sbyte)-128),
        ("t.u16", (ushort)65535),
        ("t.i16", (short)-32768),
        ("t.u32", uint.MaxValue),
        ("t.i32", int.MinValue),
        ("t.f32", 1.5f),
        ("t.f32_nan", BitConverter.Int32BitsToSingle(0x7FC01234)),
        ("t.bool_true", true),
        ("t.bool_false", false),
        ("t.string", "héllo ♪ 🎵"),
        ("t.empty_string", ""),
        ("t.u64", ulong.MaxValue),
        ("t.i64", long.MinValue),
        ("t.f64", Math.PI),
        ("a.u8", GgufArray.Of(new byte[] { 0, 1, 255 })),
        ("a.i8", GgufArray.Of(new sbyte[] { -1, 2 })),
        ("a.u16", GgufArray.Of(new ushort[] { 7, 65535 })),
        ("a.i16", GgufArray.Of(new short[] { -7, 300 })),
        ("a.u32", GgufArray.Of(new uint[] { 1, uint.MaxValue })),
        ("a.i32", GgufArray.Of(-1, 0, int.MaxValue)),
        ("a.f32", GgufArray.Of(0.5f, -0f, float.NegativeInfinity)),
        ("a.bool", GgufArray.Of(true, false, true)),
        ("a.u64", GgufArray.Of(new ulong[] { ulong.MaxValue })),
        ("a.i64", GgufArray.Of(long.MinValue, 42L)),
        ("a.f64", GgufArray.Of(1e300, -2.5)),
        ("a.strings", GgufArray.Of("<s>", "", "▁music", "日本")),
        ("a.empty", GgufArray.Empty(GgufValueType.FLOAT32)),
        ("a.nested", GgufArray.Of(GgufArray.Of(1, 2, 3), GgufArray.Of("x", "y"), GgufArray.Of(GgufArray.Of(true)), GgufArray.Empty(GgufValueType.UINT8))),
    ];

    private string WriteEveryType()
    {
        string path = _temp.File("meta.gguf");
        GgufWriter.Write(path, EveryType.Select(p => KeyValuePair.Create(p.Key, p.Value)), []);
        return path;
    }

    [Fact]
    public void Every_value_type_round_trips_in_order()
    {
        using var file = GgufFile.Open(WriteEveryType());

        Assert.Equal(3u, file.Version);
        Assert.Empty(file.Tensors);
        Assert.Equal(EveryType.Select(p => p.Key), file.Metadata.Keys);
        foreach (var (key, value) in EveryType)
        {
            Assert.True(file.Metadata.TryGet(key, out GgufValue read), key);
            Assert.Equal(value.Type, read.Type);
            Assert.True(value.Equals(read), $"{key}: wrote {value}, read {read}");
        }
    }

    [Fact]
    public void Typed_accessors_return_the_written_values()
    {
        using var file = GgufFile.Open(WriteEveryType());
        GgufMetadata m = file.Metadata;

        Assert.Equal(255, m.GetUInt8("t.u8"));
        Assert.Equal(-128, m.GetInt8("t.i8"));
        Assert.Equal(65535, m.GetUInt16("t.u16"));
        Assert.Equal(-32768, m.GetInt16("t.i16"));
        Assert.Equal(uint.MaxValue, m.GetUInt32("t.u32"));
        Assert.Equal(int.MinValue, m.GetInt32("t.i32"));
        Assert.Equal(1.5f, m.GetFloat32("t.f32"));
        Assert.Equal(0x7FC01234, BitConverter.SingleToInt32Bits(m.GetFloat32("t.f32_nan")));
        Assert.True(m.GetBool("t.bool_true"));
        Assert.False(m.GetBool("t.bool_false"));
        Assert.Equal("héllo ♪ 🎵", m.GetString("t.string"));
        Assert.Equal("", m.GetString("t.empty_string"));
        Assert.Equal(ulong.MaxValue, m.GetUInt64("t.u64"));
        Assert.Equal(long.MinValue, m.GetInt64("t.i64"));
        Assert.Equal(Math.PI, m.GetFloat64("t.f64"));
        Assert.Equal(["<s>", "", "▁music", "日本"], m.GetStringArray("a.strings"));
        Assert.Equal([-1, 0, int.MaxValue], m.GetInt32Array("a.i32").ToArray());
        Assert.Equal([0.5f, -0f, float.NegativeInfinity], m.GetFloat32Array("a.f32").ToArray());
        Assert.Equal([true, false, true], m.GetArray("a.bool").AsSpan<bool>().ToArray());
        Assert.Equal(0, m.GetArray("a.empty", GgufValueType.FLOAT32).Count);

        IReadOnlyList<GgufArray> nested = m.GetArray("a.nested", GgufValueType.ARRAY).AsArrays();
        Assert.Equal(4, nested.Count);
        Assert.Equal([1, 2, 3], nested[0].AsSpan<int>().ToArray());
        Assert.Equal(["x", "y"], nested[1].AsStrings());
        Assert.True(nested[2].AsArrays()[0].AsSpan<bool>()[0]);
        Assert.Equal(GgufValueType.UINT8, nested[3].ElementType);
    }

    [Fact]
    public void Accessors_name_the_key_and_the_actual_type_on_mismatch()
    {
        using var file = GgufFile.Open(WriteEveryType());

        var wrongType = Assert.Throws<GgufFormatException>(() => file.Metadata.GetUInt32("t.i32"));
        var wrongElements = Assert.Throws<GgufFormatException>(() => file.Metadata.GetFloat32Array("a.i32"));
        var notArray = Assert.Throws<GgufFormatException>(() => file.Metadata.GetStringArray("t.string"));
        var missing = Assert.Throws<GgufFormatException>(() => file.Metadata.GetString("t.strin"));

        Assert.Contains("metadata key 't.i32': has type INT32, expected UINT32", wrongType.Message);
        Assert.Contains(file.Path, wrongType.Message);
        Assert.Contains("'a.i32': is an array of INT32, expected an array of FLOAT32", wrongElements.Message);
        Assert.Contains("'t.string': has type STRING, expected ARRAY", notArray.Message);
        Assert.Contains("'t.strin': is missing", missing.Message);
        Assert.Contains("'t.string'", missing.Message); // suggested
        Assert.False(file.Metadata.TryGet("t.strin", out _));
    }

    [Fact]
    public void Value_accessor_of_the_wrong_type_throws()
    {
        GgufValue value = 5u;

        Assert.Equal(GgufValueType.UINT32, value.Type);
        Assert.Throws<InvalidCastException>(() => value.AsInt32());
        Assert.Throws<InvalidCastException>(() => GgufArray.Of(1, 2).AsStrings());
        Assert.Throws<InvalidCastException>(() => GgufArray.Of(1, 2).AsSpan<uint>());
    }

    [Fact]
    public void Array_factories_copy_their_input()
    {
        int[] source = [1, 2];
        GgufArray array = GgufArray.Of(source);
        source[0] = 99;

        Assert.Equal(1, array.AsSpan<int>()[0]);
    }
}
