using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Handles;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>
/// The CPU backend's repacked weight memory ("CPU_REPACK", one of its extra buffer types): a weight stored there is
/// rearranged at upload into interleaved blocks of 8 rows (e.g. q4_0 as q4_0x8 on AVX2 CPUs), which ggml's CPU
/// matrix products read with wider kernels (llama.cpp keeps its q4_0 weights this way by default). Such a tensor
/// can only be the weight operand of a matrix product with F32 activations, is written whole and never read back;
/// <see cref="Tensor"/> and <see cref="GgmlContext.MulMat"/> check this before ggml would assert. Which types and
/// shapes ggml repacks depends on the CPU and the ggml build, so it is asked (<see cref="Takes"/>), not assumed.
/// <c>MGA_REPACK=0</c> turns it off.
/// </summary>
public static unsafe class CpuRepack
{
    public const string Variable = "MGA_REPACK";
    private static readonly ConcurrentDictionary<(GgmlType, long), bool> Probed = new();
    private static nint? _bufferType;

    /// <summary>Whether repacked weights are used at all (<c>MGA_REPACK</c> unset or not "0").</summary>
    public static bool Enabled => Environment.GetEnvironmentVariable(Variable)?.Trim() is not ("0" or "false" or "off");

    /// <summary>The CPU backend's "CPU_REPACK" buffer type, or 0 when the loaded ggml has none.</summary>
    internal static nint BufferType
    {
        get
        {
            if (_bufferType is { } known) return known;
            GgmlRuntime.EnsureInitialized();
            nint found = 0;
            var cpu = GgmlBackendApi.ggml_backend_dev_by_type(0);
            if (cpu != 0)
            {
                var reg = GgmlBackendApi.ggml_backend_dev_backend_reg(cpu);
                var get = (delegate* unmanaged<nint, nint*>)GgmlBackendApi.ggml_backend_reg_get_proc_address(reg, "ggml_backend_dev_get_extra_bufts");
                if (get != null)
                    for (var p = get(cpu); p != null && *p != 0; p++)
                        if (Marshal.PtrToStringUTF8(GgmlBackendApi.ggml_backend_buft_name(*p)) == "CPU_REPACK") found = *p;
            }
            _bufferType = found;
            return found;
        }
    }

    /// <summary>
    /// Whether ggml repacks a 2-D weight of this type and shape on this CPU: a one-tensor probe of the same type and
    /// row count is laid out in the repack buffer and asked whether ggml attached a repacked layout to it (remembered
    /// per type and row count).
    /// </summary>
    public static bool Takes(ComputeBackend backend, GgmlType type, IReadOnlyList<long> ne)
    {
        if (!backend.IsCpu || !Enabled || BufferType == 0) return false;
        if (ne.Count < 2 || ne.Skip(2).Any(n => n != 1) || GgmlTypeSizes.BlockSize(type) <= 1 || ne[0] % GgmlTypeSizes.BlockSize(type) != 0)
            return false;
        return Probed.GetOrAdd((type, ne[1]), key =>
        {
            using var ctx = new GgmlContext(2);
            var probe = ctx.NewTensor(key.Item1, GgmlTypeSizes.BlockSize(key.Item1), key.Item2);
            var buffer = GgmlBackendApi.ggml_backend_alloc_ctx_tensors_from_buft(ctx.Pointer, BufferType);
            if (buffer == 0) return false;
            try { return probe.Ptr->Extra != 0; }
            finally { GgmlBackendApi.ggml_backend_buffer_free(buffer); }
        });
    }

    /// <summary>Whether <paramref name="t"/> lives in repacked memory.</summary>
    internal static bool Holds(Tensor t)
    {
        var buffer = t.Ptr->Buffer;
        return buffer != 0 && _bufferType is { } b && b != 0 && GgmlBackendApi.ggml_backend_buffer_get_type(buffer) == b;
    }

    /// <summary>Allocates every tensor of <paramref name="ctx"/> in repacked memory.</summary>
    internal static BufferHandle Allocate(GgmlContext ctx, ComputeBackend backend) =>
        new(GgmlBackendApi.ggml_backend_alloc_ctx_tensors_from_buft(ctx.Pointer, BufferType),
            $"a repacked weight buffer on {backend.Name} (out of memory?)", backend.Handle);
}
