using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Handles;

/// <summary>An owned native pointer released exactly once by its matching ggml *_free, also on error paths.</summary>
public abstract class GgmlHandle : SafeHandle
{
    protected GgmlHandle(nint pointer, string what) : base(0, ownsHandle: true)
    {
        if (pointer == 0) throw new GgmlException($"ggml could not create {what}" + LastNativeWords());
        SetHandle(pointer);
    }

    public override bool IsInvalid => handle == 0;

    internal nint Pointer => IsClosed ? throw new ObjectDisposedException(GetType().Name) : handle;

    private static string LastNativeWords()
    {
        var lines = GgmlLog.RecentLines;
        return lines.Count == 0 ? "" : $"; ggml said: {lines[^1]}";
    }
}

/// <summary>A handle that keeps its parent alive (e.g. a buffer keeps its backend) until it is released.</summary>
public abstract class GgmlChildHandle : GgmlHandle
{
    private readonly SafeHandle? _parent;

    protected GgmlChildHandle(nint pointer, string what, SafeHandle? parent) : base(pointer, what)
    {
        if (parent is null) return;
        var added = false;
        parent.DangerousAddRef(ref added);
        _parent = parent;
    }

    protected override bool ReleaseHandle()
    {
        Free(handle);
        _parent?.DangerousRelease();
        return true;
    }

    protected abstract void Free(nint pointer);
}

public sealed class ContextHandle(nint p) : GgmlHandle(p, "a ggml context")
{
    protected override bool ReleaseHandle() { GgmlCore.ggml_free(handle); return true; }
}

public sealed class BackendHandle(nint p, string what) : GgmlHandle(p, what)
{
    protected override bool ReleaseHandle() { GgmlBackendApi.ggml_backend_free(handle); return true; }
}

public sealed class BufferHandle(nint p, string what, SafeHandle? backend) : GgmlChildHandle(p, what, backend)
{
    protected override void Free(nint pointer) => GgmlBackendApi.ggml_backend_buffer_free(pointer);
}

public sealed class SchedulerHandle(nint p, SafeHandle? backend) : GgmlChildHandle(p, "a ggml backend scheduler", backend)
{
    protected override void Free(nint pointer) => GgmlBackendApi.ggml_backend_sched_free(pointer);
}

public sealed class GgufHandle(nint p, string what) : GgmlHandle(p, what)
{
    protected override bool ReleaseHandle() { GgufApi.gguf_free(handle); return true; }
}
