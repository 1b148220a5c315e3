namespace MusicGen.Assistant.Native;

/// <summary>
/// One-line warnings from the native layer (a thread request cut down to the CPUs available): each distinct line is
/// shown once per process, on standard error unless a host routes them elsewhere through <see cref="Sink"/>.
/// </summary>
public static class NativeWarnings
{
    private static readonly HashSet<string> Shown = [];
    private static readonly Lock Gate = new();

    /// <summary>Where warnings go; standard error by default.</summary>
    public static Action<string> Sink { get; set; } = line => Console.Error.WriteLine("warning: " + line);

    public static void Warn(string line)
    {
        lock (Gate)
            if (!Shown.Add(line)) return;
        Sink(line);
    }
}
