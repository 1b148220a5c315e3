using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Testing;

/// <summary>Non-regular files for the tests that readers refuse them: a FIFO (opening it for reading blocks) and devices.</summary>
public static partial class SpecialFiles
{
    /// <summary>A character device that never ends.</summary>
    public const string Zero = "/dev/zero";

    /// <summary>Creates a FIFO (named pipe) at <paramref name="path"/>.</summary>
    public static string Fifo(string path)
    {
        if (mkfifo(path, Convert.ToUInt32("600", 8)) != 0)
            throw new IOException($"mkfifo '{path}' failed (errno {Marshal.GetLastPInvokeError()})");
        return path;
    }

    /// <summary>
    /// Runs <paramref name="read"/> and returns what it threw; fails when it does not end within
    /// <paramref name="seconds"/> (a reader that opened the FIFO would block there forever).
    /// </summary>
    public static Exception Refusal(Action read, int seconds = 20)
    {
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try { read(); }
            catch (Exception e) { error = e; }
        }) { IsBackground = true };
        thread.Start();
        if (!thread.Join(TimeSpan.FromSeconds(seconds)))
            throw new Xunit.Sdk.XunitException($"the reader did not return within {seconds} s: it blocks on the non-regular file");
        return error ?? throw new Xunit.Sdk.XunitException("the reader accepted a non-regular file");
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int mkfifo(string path, uint mode);
}
