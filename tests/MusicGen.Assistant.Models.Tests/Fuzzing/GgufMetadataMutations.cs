using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Testing.Fuzzing;

namespace MusicGen.Assistant.Models.Tests.Fuzzing;

/// <summary>
/// A valid GGUF rewritten with one metadata value changed: huge, zero, negative or non-finite numbers, the wrong type,
/// empty or enormous arrays, the key removed. The tensors are copied as they are, so what a loader meets is sizes in
/// the metadata that the file's tensors cannot back.
/// </summary>
internal static class GgufMetadataMutations
{
    public static IEnumerable<FuzzInput> Each(string ggufPath, string fileName, Func<string, bool>? keys = null)
    {
        using var file = GgufFile.Open(ggufPath);
        var entries = file.Metadata.ToList();
        var tensors = file.Tensors.Select(t => (t.Name, t.Type, t.Ne, Bytes: file.GetTensorBytes(t).ToArray())).ToList();
        foreach (var (key, value) in entries.Where(e => keys?.Invoke(e.Key) ?? !e.Key.StartsWith("general.", StringComparison.Ordinal)))
            foreach (var (name, replacement) in Variants(value))
                yield return new FuzzInput($"{key} {name}", Rewrite(entries, tensors, key, replacement), fileName);
    }

    private static IEnumerable<(string, GgufValue?)> Variants(GgufValue value)
    {
        yield return ("removed", null);
        switch (value.Type)
        {
            case GgufValueType.INT32 or GgufValueType.UINT32:
                foreach (var n in new[] { int.MaxValue, 1_000_000, 100_000, 4096, 0, -1, int.MinValue })
                    yield return ($"= {n}", value.Type == GgufValueType.INT32 ? GgufValue.FromInt32(n) : GgufValue.FromUInt32(unchecked((uint)n)));
                yield return ("as INT64", GgufValue.FromInt64(2));
                yield return ("as STRING", GgufValue.FromString("12"));
                break;
            case GgufValueType.FLOAT32 or GgufValueType.FLOAT64:
                foreach (var x in new[] { double.NaN, double.PositiveInfinity, -1, 0, 1e30 })
                    yield return ($"= {x}", value.Type == GgufValueType.FLOAT32 ? GgufValue.FromFloat32((float)x) : GgufValue.FromFloat64(x));
                yield return ("as INT32", GgufValue.FromInt32(1));
                break;
            case GgufValueType.BOOL:
                yield return ("as INT32", GgufValue.FromInt32(1));
                yield return ("flipped", GgufValue.FromBool(!value.AsBool()));
                break;
            case GgufValueType.STRING:
                yield return ("= \"\"", GgufValue.FromString(""));
                yield return ("= unknown", GgufValue.FromString("no-such-setting"));
                yield return ("as UINT32", GgufValue.FromUInt32(3));
                break;
            case GgufValueType.ARRAY:
                var array = value.AsArray();
                yield return ("= []", GgufValue.FromArray(GgufArray.Empty(array.ElementType)));
                if (array.ElementType == GgufValueType.INT32)
                {
                    yield return ("= [int.MaxValue...]", GgufValue.FromArray(GgufArray.Of(Enumerable.Repeat(int.MaxValue, array.Count).ToArray())));
                    yield return ("= [65536...]", GgufValue.FromArray(GgufArray.Of(Enumerable.Repeat(65536, array.Count).ToArray())));
                    yield return ("= [0...]", GgufValue.FromArray(GgufArray.Of(new int[array.Count])));
                    yield return ("= 10000 x 2", GgufValue.FromArray(GgufArray.Of(Enumerable.Repeat(2, 10_000).ToArray())));
                }
                if (array.ElementType == GgufValueType.FLOAT64)
                {
                    yield return ("= [1e30...]", GgufValue.FromArray(GgufArray.Of(Enumerable.Repeat(1e30, array.Count).ToArray())));
                    yield return ("= [NaN]", GgufValue.FromArray(GgufArray.Of(double.NaN)));
                }
                yield return ("as STRING array", GgufValue.FromArray(GgufArray.Of("1", "2")));
                break;
        }
    }

    private static byte[] Rewrite(List<KeyValuePair<string, GgufValue>> entries,
        List<(string Name, Native.GgmlType Type, long[] Ne, byte[] Bytes)> tensors, string changed, GgufValue? replacement)
    {
        using var stream = new MemoryStream();
        using (var writer = new GgufWriter(stream, leaveOpen: true))
        {
            foreach (var (key, value) in entries)
            {
                if (key != changed) writer.SetMetadata(key, value);
                else if (replacement is not null) writer.SetMetadata(key, replacement);
            }
            foreach (var t in tensors) writer.AddTensor(t.Name, t.Type, t.Ne);
            writer.WriteHeader();
            foreach (var t in tensors) writer.WriteTensorData(t.Name, t.Bytes);
            writer.Finish();
        }
        return stream.ToArray();
    }
}
