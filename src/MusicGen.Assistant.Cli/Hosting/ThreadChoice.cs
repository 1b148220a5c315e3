using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>The CPU thread count used and where it came from (shown by <c>mga doctor</c>).</summary>
internal sealed record ThreadChoice(int Count, string Reason)
{
    public static ThreadChoice Resolve(int? option)
    {
        if (option is { } n) return new ThreadChoice(n, "from --threads");
        var count = GgmlRuntime.DefaultThreadCount;
        return Environment.GetEnvironmentVariable(NativeOptions.ThreadsVariable) is not null
            ? new ThreadChoice(count, $"from {NativeOptions.ThreadsVariable}")
            : new ThreadChoice(count, "every processor this process may use; set --threads or MGA_THREADS to change");
    }
}
