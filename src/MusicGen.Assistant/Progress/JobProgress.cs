namespace MusicGen.Assistant.Progress;

/// <summary>
/// Where one stage of a job is: "generate" 120 of 253 steps, 4.1 s in, about 4.5 s left. A job runs its stages one
/// after the other; each stage reports zero or more updates and then one with <see cref="Finished"/> set. Reports are
/// raised synchronously on the job's thread, between windows, chunks or steps (never from ggml's worker threads).
/// </summary>
/// <param name="Stage">Short label of the stage ("read track", "encode prompt", "generate 2/3", "decode").</param>
/// <param name="Unit">What <see cref="Done"/> and <see cref="Total"/> count ("steps", "frames", "tensors").</param>
/// <param name="Remaining">Estimated time left from the rate so far; null before the first unit is done.</param>
public readonly record struct JobProgress(string Stage, string Unit, long Done, long Total, TimeSpan Elapsed, TimeSpan? Remaining, bool Finished)
{
    /// <summary>Done over total in [0, 1] (0 while the total is unknown).</summary>
    public double Fraction => Total <= 0 ? 0 : Math.Clamp((double)Done / Total, 0, 1);
}
