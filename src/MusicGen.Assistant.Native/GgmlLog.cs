using System.Runtime.InteropServices;
using System.Text;

namespace MusicGen.Assistant.Native;

/// <summary>
/// Receives ggml's log lines. Keeps the recent ones so an error can quote what ggml said; forwards warnings and errors
/// (and everything in verbose mode) to standard error.
/// </summary>
public static unsafe class GgmlLog
{
    private const int Keep = 64;
    private static readonly Queue<string> Recent = new();
    private static readonly StringBuilder Pending = new();
    private static readonly Lock Gate = new();

    /// <summary>Forward info/debug lines too.</summary>
    public static bool Verbose { get; set; }

    /// <summary>ggml's most recent complete log lines, oldest first.</summary>
    public static IReadOnlyList<string> RecentLines { get { lock (Gate) return Recent.ToList(); } }

    internal static delegate* unmanaged<int, byte*, nint, void> CallbackPointer => &OnLog;
    internal static delegate* unmanaged<byte*, void> AbortPointer => &OnAbort;

    // ggml_log_level: NONE 0, DEBUG 1, INFO 2, WARN 3, ERROR 4, CONT 5 (continues the previous line)
    [UnmanagedCallersOnly]
    private static void OnLog(int level, byte* text, nint userData)
    {
        var s = Marshal.PtrToStringUTF8((nint)text) ?? "";
        lock (Gate)
        {
            Pending.Append(s);
            if (!s.EndsWith('\n')) return;
            var line = Pending.ToString().TrimEnd('\n');
            Pending.Clear();
            Recent.Enqueue(line);
            while (Recent.Count > Keep) Recent.Dequeue();
            if (Verbose || level >= 3) Console.Error.WriteLine($"ggml: {line}");
        }
    }

    // Called by GGML_ABORT/GGML_ASSERT right before abort(): we cannot recover, but we can say what happened.
    [UnmanagedCallersOnly]
    private static void OnAbort(byte* message)
    {
        var s = Marshal.PtrToStringUTF8((nint)message) ?? "(no message)";
        Console.Error.WriteLine("ggml aborted the process: " + s.Trim());
        Console.Error.WriteLine("This is a bug in MusicGen.Assistant's input validation; please report it with the command you ran.");
        Console.Error.Flush();
    }
}
