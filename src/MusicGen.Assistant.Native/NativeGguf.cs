using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>A tensor entry as ggml's own gguf reader sees it.</summary>
public sealed record NativeGgufTensor(string Name, GgmlType Type, long Offset, long Size);

/// <summary>A GGUF file as ggml's own gguf reader sees it (metadata keys and types, tensors, layout).</summary>
public sealed record NativeGgufSummary(uint Version, long Alignment, long DataOffset, IReadOnlyDictionary<string, int> KeyTypes,
    IReadOnlyList<NativeGgufTensor> Tensors, IReadOnlyDictionary<string, string> Strings);

/// <summary>
/// ggml's gguf reader and writer (gguf.h). The project reads and writes GGUF with its managed code; this binding lets
/// tools and tests check that files agree with the reference implementation byte for byte.
/// </summary>
public static unsafe class NativeGguf
{
    /// <summary>Reads only the header and tensor table of <paramref name="path"/> with ggml's reader.</summary>
    public static NativeGgufSummary Inspect(string path)
    {
        GgmlRuntime.EnsureInitialized();
        if (!File.Exists(path)) throw new FileNotFoundException($"GGUF file '{path}' does not exist", path);
        using var ctx = new GgufHandle(GgufApi.gguf_init_from_file(path, new GgufInitParams { NoAlloc = 1, Ctx = 0 }),
            $"a gguf reader for '{path}' (ggml rejected the file)");
        var p = ctx.Pointer;
        var keys = new Dictionary<string, int>();
        var strings = new Dictionary<string, string>();
        for (long i = 0; i < GgufApi.gguf_get_n_kv(p); i++)
        {
            var key = Marshal.PtrToStringUTF8(GgufApi.gguf_get_key(p, i))!;
            var type = GgufApi.gguf_get_kv_type(p, i);
            keys[key] = type;
            if (type == 8) strings[key] = Marshal.PtrToStringUTF8(GgufApi.gguf_get_val_str(p, i)) ?? "";
        }
        var tensors = new List<NativeGgufTensor>();
        for (long i = 0; i < GgufApi.gguf_get_n_tensors(p); i++)
            tensors.Add(new NativeGgufTensor(Marshal.PtrToStringUTF8(GgufApi.gguf_get_tensor_name(p, i))!,
                (GgmlType)GgufApi.gguf_get_tensor_type(p, i), (long)GgufApi.gguf_get_tensor_offset(p, i), (long)GgufApi.gguf_get_tensor_size(p, i)));
        return new NativeGgufSummary(GgufApi.gguf_get_version(p), (long)GgufApi.gguf_get_alignment(p), (long)GgufApi.gguf_get_data_offset(p),
            keys, tensors, strings);
    }

    /// <summary>Writes a metadata-only GGUF file with ggml's writer (u32, i32, f32, bool, string and i32-array values).</summary>
    public static void WriteMetadata(string path, IEnumerable<KeyValuePair<string, object>> values)
    {
        GgmlRuntime.EnsureInitialized();
        using var ctx = new GgufHandle(GgufApi.gguf_init_empty(), "an empty gguf context");
        var p = ctx.Pointer;
        foreach (var (key, value) in values)
        {
            switch (value)
            {
                case uint u: GgufApi.gguf_set_val_u32(p, key, u); break;
                case int i: GgufApi.gguf_set_val_i32(p, key, i); break;
                case float f: GgufApi.gguf_set_val_f32(p, key, f); break;
                case bool b: GgufApi.gguf_set_val_bool(p, key, b); break;
                case string s: GgufApi.gguf_set_val_str(p, key, s); break;
                case int[] a: fixed (int* d = a) GgufApi.gguf_set_arr_data(p, key, 5, d, (nuint)a.Length); break;
                default: throw new ArgumentException($"metadata value of type {value.GetType().Name} for '{key}' is not supported here");
            }
        }
        if (!GgufApi.gguf_write_to_file(p, path, true)) throw new IOException($"ggml could not write '{path}'");
    }
}
