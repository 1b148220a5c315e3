using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>gguf.h: the native GGUF reader/writer (used to cross-check our managed GGUF code and by tools).</summary>
internal static unsafe partial class GgufApi
{
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint gguf_init_empty();
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial nint gguf_init_from_file(string fname, GgufInitParams p);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void gguf_free(nint ctx);
    [LibraryImport(NativeNames.GgmlBase)] public static partial uint gguf_get_version(nint ctx);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint gguf_get_alignment(nint ctx);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint gguf_get_data_offset(nint ctx);
    [LibraryImport(NativeNames.GgmlBase)] public static partial long gguf_get_n_kv(nint ctx);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial long gguf_find_key(nint ctx, string key);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint gguf_get_key(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int gguf_get_kv_type(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int gguf_get_arr_type(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint gguf_get_arr_n(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint gguf_get_arr_data(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint gguf_get_arr_str(nint ctx, long keyId, nuint i);
    [LibraryImport(NativeNames.GgmlBase)] public static partial uint gguf_get_val_u32(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int gguf_get_val_i32(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial float gguf_get_val_f32(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial ulong gguf_get_val_u64(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial long gguf_get_val_i64(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial double gguf_get_val_f64(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool gguf_get_val_bool(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint gguf_get_val_str(nint ctx, long keyId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial long gguf_get_n_tensors(nint ctx);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial long gguf_find_tensor(nint ctx, string name);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint gguf_get_tensor_offset(nint ctx, long tensorId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint gguf_get_tensor_name(nint ctx, long tensorId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int gguf_get_tensor_type(nint ctx, long tensorId);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint gguf_get_tensor_size(nint ctx, long tensorId);

    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial void gguf_set_val_u32(nint ctx, string key, uint val);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial void gguf_set_val_i32(nint ctx, string key, int val);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial void gguf_set_val_f32(nint ctx, string key, float val);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial void gguf_set_val_bool(nint ctx, string key, [MarshalAs(UnmanagedType.U1)] bool val);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial void gguf_set_val_str(nint ctx, string key, string val);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial void gguf_set_arr_data(nint ctx, string key, int type, void* data, nuint n);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void gguf_add_tensor(nint ctx, GgmlTensorStruct* tensor);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool gguf_write_to_file(nint ctx, string fname, [MarshalAs(UnmanagedType.U1)] bool onlyMeta);
}
