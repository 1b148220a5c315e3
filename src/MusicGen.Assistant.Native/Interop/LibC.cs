using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Interop;

/// <summary>
/// libc's setenv: .NET's Environment.SetEnvironmentVariable does not reach the native environment on Linux, and ggml
/// reads variables such as GGML_NO_BACKTRACE with getenv.
/// </summary>
internal static partial class LibC
{
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int setenv(string name, string value, int overwrite);
}
