using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Compute;

/// <summary>The CPU thread count used and where it came from (shown by <c>mga doctor</c> and every job summary).</summary>
public sealed record ThreadChoice(int Count, string Reason)
{
    /// <summary>The count asked for, else <c>MGA_THREADS</c>, else every processor this process may use.</summary>
    public static ThreadChoice Resolve(int? requested)
    {
        if (requested is { } n) return new ThreadChoice(n, "from --threads");
        var count = Errors.AssistantException.Guard(() => GgmlRuntime.DefaultThreadCount);
        return Environment.GetEnvironmentVariable(NativeOptions.ThreadsVariable) is not null
            ? new ThreadChoice(count, $"from {NativeOptions.ThreadsVariable}")
            : new ThreadChoice(count, "every processor this process may use; set --threads or MGA_THREADS to change");
    }
}
