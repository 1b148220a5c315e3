using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>libc's stat(2) (glibc 2.33+ and musl export it by that name; older glibc only as __xstat).</summary>
internal static unsafe partial class LibC
{
    [LibraryImport("libc", EntryPoint = "stat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int stat(string path, byte* buffer);

    [LibraryImport("libc", EntryPoint = "__xstat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int xstat(int version, string path, byte* buffer);
}
