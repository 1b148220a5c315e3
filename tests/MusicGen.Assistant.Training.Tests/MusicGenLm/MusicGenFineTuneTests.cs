using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Text;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.MusicGenLm;
using MusicGen.Assistant.Training.Optimization;
using MusicGen.Assistant.Training.Procedural;
using MusicGen.Assistant.Training.Tests.M2UGen;

namespace MusicGen.Assistant.Training.Tests.MusicGenLm;

/// <summary>MusicGen LM fine-tuning on the tiny MusicGen of the fixture model set and procedural clips.</summary>
public class MusicGenFineTuneTests
{
    private sealed class Setup : IDisposable
    {
        public Setup(int clips, double seconds = 0.4)
        {
            Backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
            var m = TinyM2UGenSet.Manifest;
            Decoder = MusicGenDecoder.Load(m.DecoderPath, Backend);
            using var codec = EncodecCodec.Load(m.CodecPath, Backend);
            using var text = TextConditioning.Load(m.TextEncoderPath, Backend, Decoder.Config.HiddenSize);
            var tokenizer = new T5TextEncoding(TokenizerFiles.LoadSentencePiece(m.TokenizerPath));
            var spec = new SyntheticDatasetSpec("ft", 5, clips, seconds, [codec.Config.SamplingRate], 60, 160, null, null, 0, false, 0,
                new DatasetSplits(5, 1, 0, 0), CaptionStyle.Short);
            SyntheticDatasetBuilder.Build(spec, Folder.Path);
            Examples = new MusicGenExampleBuilder(codec, text, tokenizer, Decoder.Config.NumCodebooks)
                .FromCaptions(new DatasetEntries(new DatasetLayout(Folder.Path), spec.Splits), Split.Train, seconds);
        }

        public TempFolder Folder { get; } = new();
        public ComputeBackend Backend { get; }
        public MusicGenDecoder Decoder { get; }
        public List<MusicGenExample> Examples { get; }

        public void Dispose()
        {
            Decoder.Dispose();
            Backend.Dispose();
            Folder.Dispose();
        }
    }

    [Fact]
    public void Loss_is_the_per_codebook_cross_entropy_of_the_inference_logits_under_the_pattern_mask()
    {
        using var s = new Setup(clips: 2);
        var c = s.Decoder.Config;
        var task = new MusicGenFineTuneTask(s.Decoder.Weights, conditionDropout: 0, new RegularizationSettings(Enabled: false));
        using var trainer = new Trainer<MusicGenExample>(task, new OptimizerSettings(), seed: 1);
        var e = s.Examples[0];
        var trained = trainer.Evaluate([[e]]).Loss;

        // host reference: the decoder's own teacher-forced logits over the valid pattern steps
        var n = e.Frames;
        var pattern = new DelayedPatternProvider(c.NumCodebooks).GetPattern(n);
        var seq = pattern.Build(e.Codes, c.BosTokenId);
        var ids = new int[c.NumCodebooks, n];
        for (var k = 0; k < c.NumCodebooks; k++)
            for (var t = 0; t < n; t++) ids[k, t] = seq.Values[k, t];
        var logits = s.Decoder.Forward(ids, new MusicGenConditioning(e.Text, Enumerable.Repeat(true, e.TextLength).ToArray(), 1, e.TextLength, c.HiddenSize));
        double total = 0;
        for (var k = 0; k < c.NumCodebooks; k++)
        {
            double sum = 0;
            var count = 0;
            for (var t = 0; t < n; t++)
            {
                if (!seq.Mask[k, t + 1]) continue; // audiocraft's revert_pattern_logits(keep_only_valid_steps) mask
                var row = logits.AsSpan((k * n + t) * c.VocabSize, c.VocabSize);
                var max = double.MinValue;
                foreach (var v in row) max = Math.Max(max, v);
                double z = 0;
                foreach (var v in row) z += Math.Exp(v - max);
                sum += max + Math.Log(z) - row[seq.Values[k, t + 1]];
                count++;
            }
            total += sum / count;
        }
        Assert.Equal(total / c.NumCodebooks, trained, 4);
    }

    [Fact]
    public void Fine_tuning_lowers_the_loss_and_drops_the_condition_as_often_as_asked()
    {
        using var s = new Setup(clips: 4);
        var task = new MusicGenFineTuneTask(s.Decoder.Weights, conditionDropout: 0.5, new RegularizationSettings());
        using var trainer = new Trainer<MusicGenExample>(task, new OptimizerSettings(LearningRate: 3e-3, MinLearningRate: 3e-4, WarmupSteps: 2), seed: 7);
        var all = BatchPlan<MusicGenExample>.Fixed(s.Examples, s.Examples.Count);
        var before = trainer.Evaluate(all).Loss;
        var plan = new BatchPlan<MusicGenExample>(s.Examples, 2, 1, 7);
        var results = Enumerable.Range(0, 30).Select(_ => trainer.TrainStep(plan.MicroBatches(trainer.Step), 30)).ToList();
        var after = trainer.Evaluate(all).Loss;
        // random tiny weights on 4 clips: the cross-entropy falls well below its start within 30 steps (measured about
        // halving); a 25 % drop is asserted
        Assert.True(after < 0.75 * before, $"loss {before} -> {after}");
        var dropped = results.Count(r => r.Metrics["dropped"] == 1);
        Assert.InRange(dropped, 6, 24); // p = 0.5 over 30 coins
        Assert.All(results.Where(r => r.Metrics["dropped"] == 1), r => Assert.True(r.Metrics.ContainsKey("rr")));
    }

    [Fact]
    public void A_short_tensor_estimate_costs_a_rebuild_never_the_step_or_its_random_draws()
    {
        // two copies of the same weights: one trained with the task's estimate, one with an estimate far short of the
        // graph (as a full-size decoder's was): the trainer must size the context from the graph and draw the same coins
        using var s = new Setup(clips: 2);
        using var t = new Setup(clips: 2);
        var settings = new OptimizerSettings(LearningRate: 3e-3, WarmupSteps: 1);
        var sized = new MusicGenFineTuneTask(s.Decoder.Weights, conditionDropout: 0.5, new RegularizationSettings());
        var short_ = new ShortEstimate<MusicGenExample>(new MusicGenFineTuneTask(t.Decoder.Weights, conditionDropout: 0.5, new RegularizationSettings()));
        using var a = new Trainer<MusicGenExample>(sized, settings, seed: 11);
        using var b = new Trainer<MusicGenExample>(short_, settings, seed: 11);
        var plan = new BatchPlan<MusicGenExample>(s.Examples, 2, 1, 11);
        var planB = new BatchPlan<MusicGenExample>(t.Examples, 2, 1, 11);
        for (var step = 0; step < 4; step++)
        {
            var ra = a.TrainStep(plan.MicroBatches(a.Step), 4);
            var rb = b.TrainStep(planB.MicroBatches(b.Step), 4);
            Assert.Equal(ra.Metrics["dropped"], rb.Metrics["dropped"]);
            Assert.Equal(ra.Loss, rb.Loss, 6);
            Assert.Equal(ra.GradientNorm, rb.GradientNorm, 5);
        }
        Assert.Equal(a.Evaluate([[s.Examples[0]]]).Loss, b.Evaluate([[t.Examples[0]]]).Loss, 6);
    }

    /// <summary>A task whose forward-tensor estimate is far too small; everything else is the wrapped task's.</summary>
    private sealed class ShortEstimate<T>(ITrainingTask<T> inner) : ITrainingTask<T>
    {
        public string Name => inner.Name;
        public ComputeBackend Backend => inner.Backend;
        public IReadOnlyList<TrainableParameter> Parameters => inner.Parameters;
        public int ForwardTensors(IReadOnlyList<T> batch) => 8;
        public TrainingLoss BuildLoss(GgmlContext ctx, IReadOnlyList<T> batch, SeededRandom random, bool training) => inner.BuildLoss(ctx, batch, random, training);
    }
}
