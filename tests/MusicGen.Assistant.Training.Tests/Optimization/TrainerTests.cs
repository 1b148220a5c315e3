using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Training.Tests.Optimization;

public class TrainerTests
{
    private static ComputeBackend Cpu() => ComputeBackend.Create(BackendKind.Cpu, threads: 1);

    [Fact]
    public void Loss_falls_on_a_reachable_target()
    {
        using var backend = Cpu();
        var data = ToyRegressionTask.Data(backend, 40, seed: 3);
        var (train, valid) = (data.Take(32).ToList(), data.Skip(32).ToList());
        using var task = new ToyRegressionTask(backend, seed: 1);
        using var trainer = new Trainer<ToyItem>(task, new OptimizerSettings(LearningRate: 2e-2, MinLearningRate: 2e-3, WarmupSteps: 5, WeightDecay: 0.01), seed: 5);
        using var tmp = new TempFolder();
        var report = TrainingRun.Run(trainer, new BatchPlan<ToyItem>(train, 4, 1, 5), BatchPlan<ToyItem>.Fixed(valid, 4),
            new RunSettings(80, 20, 0, tmp.Path));
        // the teacher has the student's form: 80 AdamW steps remove most of the error on held-out inputs. Measured:
        // about a 10x drop; a 3x drop is asserted so that seeds and the machine's float rounding cannot matter.
        var trained = trainer.Evaluate(BatchPlan<ToyItem>.Fixed(valid, 4)).Loss;
        Assert.Equal(report.LastValidLoss, trained);
        Assert.True(report.LastValidLoss < report.FirstValidLoss, $"valid loss {report.FirstValidLoss} -> {report.LastValidLoss}");
        using var fresh = new ToyRegressionTask(backend, seed: 1);
        using var untrained = new Trainer<ToyItem>(fresh, new OptimizerSettings(), seed: 5);
        var initial = untrained.Evaluate(BatchPlan<ToyItem>.Fixed(valid, 4)).Loss;
        Assert.True(trained < initial / 3, $"held-out loss {initial} -> {trained}: less than a 3x drop");
        Assert.Equal(81, report.History.Count); // step 0 (held-out loss before training) and 80 steps
        Assert.Equal(initial, report.FirstValidLoss);
        Assert.Equal(82, File.ReadAllLines(report.Csv).Length);
        Assert.Equal([137, 80, 78, 71], File.ReadAllBytes(report.Plot).Take(4));
    }

    [Fact]
    public void Resume_reproduces_the_uninterrupted_loss_curve_step_for_step()
    {
        using var backend = Cpu();
        var data = ToyRegressionTask.Data(backend, 24, seed: 4);
        var settings = new OptimizerSettings(LearningRate: 1e-2, WarmupSteps: 2, Accumulation: 2, MaxGradNorm: 0.5);
        TrainingReport Train(string folder, long? stopAfter)
        {
            using var task = new ToyRegressionTask(backend, seed: 2);
            using var trainer = new Trainer<ToyItem>(task, settings, seed: 9);
            return TrainingRun.Run(trainer, new BatchPlan<ToyItem>(data, 3, 2, 9), BatchPlan<ToyItem>.Fixed(data.Take(6).ToList(), 3),
                new RunSettings(10, 3, 0, folder, stopAfter));
        }
        using var whole = new TempFolder();
        using var parts = new TempFolder();
        var uninterrupted = Train(whole.Path, null);
        var first = Train(parts.Path, 4);
        Assert.Equal(5, first.History.Count); // step 0 and 4 steps
        var resumed = Train(parts.Path, null);
        Assert.True(resumed.Resumed);
        Assert.Equal(uninterrupted.History.Select(h => h.Loss), resumed.History.Select(h => h.Loss)); // exact, not approximate
        Assert.Equal(uninterrupted.History.Select(h => h.ValidLoss), resumed.History.Select(h => h.ValidLoss));
        Assert.Equal(uninterrupted.History.Select(h => h.GradientNorm), resumed.History.Select(h => h.GradientNorm));
        Assert.Equal(File.ReadAllText(uninterrupted.Csv), File.ReadAllText(resumed.Csv));
    }

    [Fact]
    public void Accumulated_micro_batches_give_the_mean_gradient_of_the_whole_batch()
    {
        using var backend = Cpu();
        var data = ToyRegressionTask.Data(backend, 4, seed: 6);
        float[] After(int batch, int accumulation)
        {
            using var task = new ToyRegressionTask(backend, seed: 7);
            using var trainer = new Trainer<ToyItem>(task, new OptimizerSettings(LearningRate: 1e-2, Accumulation: accumulation, MaxGradNorm: 0), seed: 1);
            trainer.TrainStep(new BatchPlan<ToyItem>(data, batch, accumulation, 1).MicroBatches(0), 10);
            return task.Read("w1").Concat(task.Read("g")).ToArray();
        }
        var whole = After(4, 1);
        var accumulated = After(1, 4);
        for (var i = 0; i < whole.Length; i++) Assert.Equal(whole[i], accumulated[i], 5);
    }

    [Fact]
    public void Weight_decay_shrinks_matrices_only_and_clipping_scales_the_moments()
    {
        using var backend = Cpu();
        var data = ToyRegressionTask.Data(backend, 4, seed: 6);
        using var task = new ToyRegressionTask(backend, seed: 7);
        var o = new OptimizerSettings(LearningRate: 0.1, MinLearningRate: 0.1, WeightDecay: 0.5, MaxGradNorm: 1e-3);
        using var trainer = new Trainer<ToyItem>(task, o, seed: 1);
        var w1 = task.Read("w1");
        var b1 = task.Read("b1.bias");
        var batches = new BatchPlan<ToyItem>(data, 4, 1, 1).MicroBatches(0);
        var probe = trainer.TrainStep(batches, 10);
        Assert.True(probe.Clipped);
        var clip = o.MaxGradNorm / probe.GradientNorm;
        foreach (var s in trainer.State.Slots)
        {
            var g = s.Gradient.ToFloatArray();
            var m = s.M.ToFloatArray();
            for (var i = 0; i < g.Length; i++) Assert.Equal((1 - o.Beta1) * clip * g[i], m[i], 6); // m = (1-β1)·clipped g
        }
        // first AdamW step with g' = clip·g: m̂ = g', √v̂ = |g'|, so w ← w·(1 - lr·wd) - lr·g'/(|g'| + ε)
        double Step(double g) => clip * g / (Math.Abs(clip * g) + o.Epsilon);
        var gw = trainer.State.Slots.Single(s => s.Parameter.Name == "w1").Gradient.ToFloatArray();
        var w1After = task.Read("w1");
        for (var i = 0; i < w1.Length; i++) Assert.Equal(w1[i] * (1 - 0.1 * 0.5) - 0.1 * Step(gw[i]), w1After[i], 5);
        var gb = trainer.State.Slots.Single(s => s.Parameter.Name == "b1.bias").Gradient.ToFloatArray();
        var b1After = task.Read("b1.bias");
        for (var i = 0; i < b1.Length; i++) Assert.Equal(b1[i] - 0.1 * Step(gb[i]), b1After[i], 5); // no decay on a bias
        Assert.False(trainer.Parameters("g").Decay);
        Assert.True(trainer.Parameters("w2").Decay);
    }

    [Fact]
    public void Schedule_warms_up_linearly_then_follows_a_half_cosine_to_the_minimum()
    {
        var o = new OptimizerSettings(LearningRate: 1.0, MinLearningRate: 0.1, WarmupSteps: 4);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1.0], Enumerable.Range(0, 5).Select(s => o.RateAt(s, 14)));
        Assert.Equal(0.55, o.RateAt(9, 14), 12);
        Assert.Equal(0.1, o.RateAt(14, 14), 12);
    }

    [Fact]
    public void A_checkpoint_of_other_settings_is_refused()
    {
        using var backend = Cpu();
        var data = ToyRegressionTask.Data(backend, 8, seed: 4);
        using var tmp = new TempFolder();
        void Train(double lr)
        {
            using var task = new ToyRegressionTask(backend, seed: 2);
            using var trainer = new Trainer<ToyItem>(task, new OptimizerSettings(LearningRate: lr), seed: 9);
            TrainingRun.Run(trainer, new BatchPlan<ToyItem>(data, 2, 1, 9), [], new RunSettings(4, 0, 0, tmp.Path, 2));
        }
        Train(1e-3);
        var e = Assert.Throws<InvalidDataException>(() => Train(2e-3));
        Assert.Contains("other settings", e.Message);
    }
}
