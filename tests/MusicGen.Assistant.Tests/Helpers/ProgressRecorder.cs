using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Tests.Helpers;

/// <summary>Keeps every progress report; optionally cancels a token at the first report of a stage.</summary>
public sealed class ProgressRecorder(CancellationTokenSource? cancelAt = null, string? stage = null) : IProgress<JobProgress>
{
    private readonly Lock _gate = new();

    public List<JobProgress> Reports { get; } = [];

    public void Report(JobProgress value)
    {
        lock (_gate) Reports.Add(value);
        if (cancelAt is not null && (stage is null || value.Stage == stage)) cancelAt.Cancel();
    }
}
