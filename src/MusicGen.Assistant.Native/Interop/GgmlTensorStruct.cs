using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>
/// Mirror of <c>struct ggml_tensor</c> of ggml 0.25.1 (x86-64: 336 bytes). ggml has no getters for ne/nb/type, so
/// graphs must read them here; <c>StructLayoutTests</c> checks the layout against the loaded library.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 336)]
internal unsafe struct GgmlTensorStruct
{
    public const int MaxDims = 4;
    public const int MaxSrc = 10;
    public const int MaxName = 64;

    [FieldOffset(0)] public int Type;
    [FieldOffset(8)] public nint Buffer;
    [FieldOffset(16)] public fixed long Ne[MaxDims];
    [FieldOffset(48)] public fixed ulong Nb[MaxDims];
    [FieldOffset(80)] public int Op;
    [FieldOffset(84)] public fixed int OpParams[16];
    [FieldOffset(148)] public int Flags;
    [FieldOffset(152)] public fixed long Src[MaxSrc];
    [FieldOffset(232)] public nint ViewSrc;
    [FieldOffset(240)] public ulong ViewOffs;
    [FieldOffset(248)] public nint Data;
    [FieldOffset(256)] public fixed byte Name[MaxName];
    [FieldOffset(320)] public nint Extra;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgmlInitParams
{
    public nuint MemSize;
    public nint MemBuffer;
    public byte NoAlloc; // C bool
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgufInitParams
{
    public byte NoAlloc; // C bool
    public nint Ctx; // struct ggml_context ** (may be null)
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgmlBackendDevCaps
{
    public byte Async, HostBuffer, BufferFromHostPtr, Events, MmapSupport;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgmlBackendDevProps
{
    public nint Name;
    public nint Description;
    public nuint MemoryFree;
    public nuint MemoryTotal;
    public int Type;
    public nint DeviceId;
    public GgmlBackendDevCaps Caps;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgmlBackendFeature
{
    public nint Name;
    public nint Value;
}

[StructLayout(LayoutKind.Sequential)]
internal struct GgmlTypeTraits
{
    public nint TypeName;
    public long BlckSize;
    public long BlckSizeInterleave;
    public nuint TypeSize;
    public byte IsQuantized;
    public nint ToFloat;       // void (*)(const void * x, float * y, int64_t k)
    public nint FromFloatRef;  // void (*)(const float * x, void * y, int64_t k)
}

/// <summary>ggml.h's struct ggml_threadpool_params (GGML_MAX_N_THREADS = 512 cpumask entries).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct GgmlThreadpoolParams
{
    public fixed byte CpuMask[512]; // C bool per CPU; all zero = default affinity
    public int NThreads;
    public int Priority;            // enum ggml_sched_priority
    public uint Poll;               // 0 = wait without polling, 100 = aggressive polling
    public byte StrictCpu;
    public byte Paused;
}
