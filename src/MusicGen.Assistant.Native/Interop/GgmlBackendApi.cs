using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>ggml-backend.h and ggml-alloc.h: devices, backends, buffers, tensor I/O, compute, scheduler, allocator.</summary>
internal static unsafe partial class GgmlBackendApi
{
    // registry (libggml)
    [LibraryImport(NativeNames.Ggml, StringMarshalling = StringMarshalling.Utf8)] public static partial void ggml_backend_load_all_from_path(string dir);
    [LibraryImport(NativeNames.Ggml, StringMarshalling = StringMarshalling.Utf8)] public static partial nint ggml_backend_load(string path);
    [LibraryImport(NativeNames.Ggml)] public static partial nuint ggml_backend_reg_count();
    [LibraryImport(NativeNames.Ggml)] public static partial nint ggml_backend_reg_get(nuint index);
    [LibraryImport(NativeNames.Ggml)] public static partial nuint ggml_backend_dev_count();
    [LibraryImport(NativeNames.Ggml)] public static partial nint ggml_backend_dev_get(nuint index);
    [LibraryImport(NativeNames.Ggml)] public static partial nint ggml_backend_dev_by_type(int type);

    // devices and registries (libggml-base)
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_reg_name(nint reg);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_backend_reg_dev_count(nint reg);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_reg_dev_get(nint reg, nuint index);
    [LibraryImport(NativeNames.GgmlBase, StringMarshalling = StringMarshalling.Utf8)] public static partial nint ggml_backend_reg_get_proc_address(nint reg, string name);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_dev_name(nint dev);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_dev_description(nint dev);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_dev_memory(nint dev, nuint* free, nuint* total);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_backend_dev_type(nint dev);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_dev_get_props(nint dev, GgmlBackendDevProps* props);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_dev_backend_reg(nint dev);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_dev_init(nint dev, nint parameters);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool ggml_backend_dev_supports_op(nint dev, GgmlTensorStruct* op);

    // backends
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_name(nint backend);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_free(nint backend);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_get_device(nint backend);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_get_default_buffer_type(nint backend);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_synchronize(nint backend);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_backend_graph_compute(nint backend, nint graph);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool ggml_backend_supports_op(nint backend, GgmlTensorStruct* op);

    // CPU threadpools (ggml.h, libggml-base; creating one goes through the CPU registry's proc addresses)
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_threadpool_params_init(GgmlThreadpoolParams* p, int nThreads);

    // buffers
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_buft_name(nint buft);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool ggml_backend_buft_is_host(nint buft);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_alloc_ctx_tensors(nint ctx, nint backend);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_alloc_ctx_tensors_from_buft(nint ctx, nint buft);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_buffer_free(nint buffer);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_backend_buffer_get_size(nint buffer);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_buffer_name(nint buffer);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_buffer_get_type(nint buffer);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_buffer_set_usage(nint buffer, int usage);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_buffer_clear(nint buffer, byte value);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_tensor_set(GgmlTensorStruct* t, void* data, nuint offset, nuint size);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_tensor_get(GgmlTensorStruct* t, void* data, nuint offset, nuint size);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_cpu_buffer_type();
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_buft_alloc_buffer(nint buft, nuint size);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void* ggml_backend_buffer_get_base(nint buffer);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_backend_tensor_alloc(nint buffer, GgmlTensorStruct* tensor, void* addr);

    // scheduler
    [LibraryImport(NativeNames.GgmlBase)] public static partial nint ggml_backend_sched_new(nint* backends, nint* bufts, int nBackends, nuint graphSize, [MarshalAs(UnmanagedType.U1)] bool parallel, [MarshalAs(UnmanagedType.U1)] bool opOffload);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_sched_free(nint sched);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool ggml_backend_sched_reserve(nint sched, nint graph);
    [LibraryImport(NativeNames.GgmlBase)] [return: MarshalAs(UnmanagedType.U1)] public static partial bool ggml_backend_sched_alloc_graph(nint sched, nint graph);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_backend_sched_graph_compute(nint sched, nint graph);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_sched_synchronize(nint sched);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_sched_reset(nint sched);
    [LibraryImport(NativeNames.GgmlBase)] public static partial nuint ggml_backend_sched_get_buffer_size(nint sched, nint backend);
    [LibraryImport(NativeNames.GgmlBase)] public static partial int ggml_backend_sched_get_n_splits(nint sched);
    [LibraryImport(NativeNames.GgmlBase)] public static partial void ggml_backend_sched_set_eval_callback(nint sched, delegate* unmanaged<GgmlTensorStruct*, byte, nint, byte> callback, nint userData);
}
