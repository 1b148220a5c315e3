using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>ggml.h: library info, contexts, tensors, graphs, logging, quantization (libggml-base).</summary>
internal static unsafe partial class GgmlCore
{
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_version();
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_commit();
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_tensor_overhead();
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_graph_overhead_custom(nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);

    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_init(GgmlInitParams p);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_free(nint ctx);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_used_mem(nint ctx);

    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_new_tensor(nint ctx, int type, int nDims, long* ne);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_set_name(GgmlTensorStruct* t, [MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_set_input(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_set_output(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_get_first_tensor(nint ctx);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_get_next_tensor(nint ctx, GgmlTensorStruct* t);

    [LibraryImport(NativeNames.GgmlBase)] public static partial long ggml_nelements(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_nbytes(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool ggml_is_contiguous(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_type_size(int type);
    [LibraryImport(NativeNames.GgmlBase)] public static partial long ggml_blck_size(int type);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_row_size(int type, long ne);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_type_name(int type);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_op_name(int op);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_op_desc(GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_status_to_string(int status);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTypeTraits* ggml_get_type_traits(int type);

    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_new_graph_custom(nint ctx, nuint size, [MarshalAs(UnmanagedType.U1)] bool grads);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_build_forward_expand(nint graph, GgmlTensorStruct* t);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_graph_n_nodes(nint graph);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_graph_size(nint graph);
    [LibraryImport(NativeNames.GgmlBase)] public static partial GgmlTensorStruct* ggml_graph_node(nint graph, int i);

    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_log_set(delegate* unmanaged<int, byte*, nint, void> callback, nint userData);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_set_abort_callback(delegate* unmanaged<byte*, void> callback);

    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_quantize_chunk(int type, float* src, void* dst, long start, long nrows, long nPerRow, float* imatrix);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool ggml_quantize_requires_imatrix(int type);
}
