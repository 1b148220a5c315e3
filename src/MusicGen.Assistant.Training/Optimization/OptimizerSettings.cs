namespace MusicGen.Assistant.Training.Optimization;

/// <summary>
/// AdamW with a warmup + half-cycle cosine learning rate (M2UGen's util/lr_sched.py, per step), gradient accumulation
/// over micro-batches and clipping of the global gradient norm. Defaults: M2UGen's stage settings (lr 1e-4 to 1e-6,
/// betas 0.9 / 0.95, weight decay 0.05) with audiocraft's clipping at 1.0.
/// </summary>
public sealed record OptimizerSettings(
    double LearningRate = 1e-4, double MinLearningRate = 1e-6, int WarmupSteps = 0, double Beta1 = 0.9, double Beta2 = 0.95,
    double Epsilon = 1e-8, double WeightDecay = 0.05, double MaxGradNorm = 1.0, int Accumulation = 1)
{
    public OptimizerSettings Validate()
    {
        if (!(LearningRate > 0) || !(MinLearningRate >= 0) || MinLearningRate > LearningRate)
            throw new ArgumentException($"learning rates must satisfy 0 <= min ({MinLearningRate}) <= lr ({LearningRate}), lr > 0");
        if (WarmupSteps < 0) throw new ArgumentException($"warmup steps {WarmupSteps} < 0");
        if (Beta1 is < 0 or >= 1 || Beta2 is < 0 or >= 1) throw new ArgumentException($"AdamW betas ({Beta1}, {Beta2}) must lie in [0, 1)");
        if (!(Epsilon >= 0) || WeightDecay is < 0 or > 1) throw new ArgumentException($"eps {Epsilon} must be >= 0 and weight decay {WeightDecay} in [0, 1]");
        if (!(MaxGradNorm >= 0)) throw new ArgumentException($"max gradient norm {MaxGradNorm} must be >= 0 (0 = no clipping)");
        if (Accumulation < 1) throw new ArgumentException($"accumulation {Accumulation} must be at least 1");
        return this;
    }

    /// <summary>
    /// The rate of optimizer step <paramref name="step"/> (0-based) of <paramref name="totalSteps"/>: linear warmup from
    /// 0, then min + (lr - min)·(1 + cos(π·progress))/2 (lr_sched.adjust_learning_rate with iterations as epochs).
    /// </summary>
    public double RateAt(long step, long totalSteps)
    {
        if (step < WarmupSteps) return LearningRate * step / WarmupSteps;
        var span = Math.Max(1, totalSteps - WarmupSteps);
        var progress = Math.Min(1.0, (double)(step - WarmupSteps) / span);
        return MinLearningRate + (LearningRate - MinLearningRate) * 0.5 * (1 + Math.Cos(Math.PI * progress));
    }
}
