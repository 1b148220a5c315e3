namespace MusicGen.Assistant.Training.Optimization;

/// <summary>Where a run is: steps done of the total, the last step's loss, the last held-out loss, time spent and left.</summary>
public sealed record TrainingProgress(long Step, long TotalSteps, double Loss, double? ValidLoss, double LearningRate, TimeSpan Elapsed, TimeSpan? Remaining)
{
    public override string ToString() =>
        $"step {Step}/{TotalSteps} loss {Loss:0.0000}" + (ValidLoss is { } v ? $" valid {v:0.0000}" : "") +
        $" lr {LearningRate:0.##e+0} elapsed {Elapsed:hh\\:mm\\:ss}" + (Remaining is { } r ? $" left {r:hh\\:mm\\:ss}" : "");
}
