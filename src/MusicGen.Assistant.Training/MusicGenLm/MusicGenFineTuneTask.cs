using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Optimization;
using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.MusicGenLm;

/// <summary>
/// MusicGen LM fine-tuning (audiocraft's MusicGenSolver.run_step on our decoder graph): the codes laid out by the
/// delay pattern (valid steps only), teacher forcing over positions 0..T-1, per codebook the cross-entropy of the
/// predictions the pattern mask keeps (logits at step s predict the codes of step s+1), averaged over codebooks;
/// classifier-free-guidance condition dropout (one coin per micro-batch drops the text of every sample: zero
/// conditioning); and in dropped steps the representation regularization between pooled text and audio states.
/// </summary>
public sealed class MusicGenFineTuneTask : ITrainingTask<MusicGenExample>
{
    private readonly MusicGenDecoderWeights _weights;
    private readonly CodebookPatternProvider _pattern;

    public MusicGenFineTuneTask(MusicGenDecoderWeights weights, double conditionDropout, RegularizationSettings regularization, string name = "musicgen")
    {
        var c = weights.Config;
        if (c.IsMelody) throw new NotSupportedException("fine-tuning a melody decoder (conditioning prefix) is not supported; a text-conditioned MusicGen is");
        if (c.AudioChannels != 1) throw new NotSupportedException("fine-tuning a stereo decoder (interleaved codebooks) is not supported; a mono MusicGen is");
        if (conditionDropout is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(conditionDropout), conditionDropout, "a probability");
        _weights = weights;
        _pattern = new DelayedPatternProvider(c.NumCodebooks);
        ConditionDropout = conditionDropout;
        Regularization = regularization;
        Name = name;
        var list = new List<TrainableParameter>();
        void Add(Tensor? t) { if (t is { } x) list.Add(TrainableParameter.Of("decoder/" + x.Name, x)); }
        void Norm(LayerNormWeights? n) { if (n is not null) { Add(n.Weight); Add(n.Bias); } }
        void Linear(LinearWeights l) { Add(l.Weight); Add(l.Bias); }
        void Attention(AttentionWeights? a) { if (a is not null) foreach (var l in new[] { a.Query, a.Key, a.Value, a.Output }) Linear(l); }
        foreach (var e in weights.Embeddings) Add(e);
        foreach (var l in weights.Layers)
        {
            Norm(l.SelfAttentionNorm); Attention(l.SelfAttention);
            Norm(l.CrossAttentionNorm); Attention(l.CrossAttention);
            Norm(l.FeedForwardNorm); Linear(l.FeedForward.Up); Linear(l.FeedForward.Down);
        }
        Norm(weights.OutputNorm);
        foreach (var h in weights.LmHeads) Add(h);
        foreach (var p in list)
            if (p.Tensor.Type != GgmlType.F32)
                throw new ModelWeightsException($"decoder tensor '{p.Tensor.Name}' is {p.Tensor.Type}; fine-tuning updates F32 weights (convert the decoder with --type f32)");
        Parameters = list;
    }

    public string Name { get; }
    public double ConditionDropout { get; }
    public RegularizationSettings Regularization { get; }
    public ComputeBackend Backend => _weights.Backend;
    public IReadOnlyList<TrainableParameter> Parameters { get; }
    private MusicGenDecoderConfig C => _weights.Config;

    public int ForwardTensors(IReadOnlyList<MusicGenExample> batch) => 96 * C.NumHiddenLayers + 12 * C.NumCodebooks + 64;

    public TrainingLoss BuildLoss(GgmlContext ctx, IReadOnlyList<MusicGenExample> batch, SeededRandom random, bool training)
    {
        var rows = batch.Count;
        var n = batch[0].Frames;
        if (batch.Any(e => e.Frames != n)) throw new ArgumentException($"a micro-batch's clips must have one length: {string.Join(", ", batch.Select(e => $"{e.Id} {e.Frames}"))} frames");
        if (n + 1 > C.MaxPositionEmbeddings) throw new ArgumentException($"{n} frames exceed the decoder's {C.MaxPositionEmbeddings} positions");
        foreach (var e in batch)
        {
            if (e.Codes.GetLength(0) != C.NumCodebooks) throw new ArgumentException($"{e.Id}: {e.Codes.GetLength(0)} codebooks, the decoder has {C.NumCodebooks}");
            foreach (var code in e.Codes) if ((uint)code >= (uint)C.VocabSize) throw new ArgumentException($"{e.Id}: code {code} outside [0, {C.VocabSize})");
        }
        var dropped = training && random.Chance(ConditionDropout);
        var uploads = new List<Action>();
        var pattern = _pattern.GetPattern(n);
        var sequences = batch.Select(e => pattern.Build(e.Codes, C.BosTokenId)).ToArray();   // full layout: [K, T + max_delay + 1]

        var tokens = Enumerable.Range(0, C.NumCodebooks).Select(k => ctx.NewInput($"tokens.{k}", GgmlType.I32, (long)n * rows)).ToArray();
        var positions = ctx.NewInput("positions", GgmlType.I32, n);
        var causal = ctx.NewInput("causal_mask", GgmlType.F32, n, n);
        uploads.Add(() =>
        {
            for (var k = 0; k < C.NumCodebooks; k++)
                tokens[k].SetData<int>(Enumerable.Range(0, rows).SelectMany(r => Enumerable.Range(0, n).Select(s => sequences[r].Values[k, s])).ToArray());
            positions.SetData<int>(Enumerable.Range(0, n).ToArray());
            causal.SetData<float>(AttentionMasks.Causal(0, n));
        });

        // the text condition, or zeros when dropped (audiocraft's nullified condition: cross-attention then adds 0)
        var length = dropped ? 1 : batch.Max(e => e.TextLength);
        var conditioning = ctx.NewInput("conditioning", GgmlType.F32, C.HiddenSize, length, rows);
        float[]? crossMask = null;
        if (!dropped)
        {
            var keep = new bool[rows * length];
            for (var r = 0; r < rows; r++)
                for (var t = 0; t < batch[r].TextLength; t++) keep[r * length + t] = true;
            crossMask = AttentionMasks.KeyPadding(keep, rows, length, n);
        }
        var crossMaskInput = crossMask is null ? (Tensor?)null : ctx.NewInput("cross_mask", GgmlType.F32, length, n, 1, rows);
        uploads.Add(() =>
        {
            var states = new float[(long)rows * length * C.HiddenSize];
            if (!dropped)
                for (var r = 0; r < rows; r++)
                    batch[r].Text.AsSpan(0, batch[r].TextLength * C.HiddenSize).CopyTo(states.AsSpan(r * length * C.HiddenSize));
            conditioning.SetData<float>(states);
            if (crossMask is not null) crossMaskInput!.Value.SetData<float>(crossMask);
        });

        var graph = new MusicGenDecoderGraph(ctx, _weights);
        var (self, cross) = graph.Uncached(conditioning);
        var hidden = graph.Hidden(tokens, positions, rows, self, cross, causal, crossMaskInput);   // {hidden, n, rows}
        var flat = ctx.Reshape(hidden, C.HiddenSize, (long)n * rows);

        Tensor? ce = null;
        var scored = 0;
        for (var k = 0; k < C.NumCodebooks; k++)
        {
            // position s of row r predicts pattern step s + 1; keep the cells holding a real code
            var targets = new List<(int Row, int Code)>();
            for (var r = 0; r < rows; r++)
                for (var s = 0; s < n; s++)
                    if (sequences[r].Mask[k, s + 1]) targets.Add((r * n + s, sequences[r].Values[k, s + 1]));
            if (targets.Count == 0) continue;
            var rowsInput = ctx.NewInput($"target_rows.{k}", GgmlType.I32, targets.Count);
            var labels = ctx.NewInput($"labels.{k}", GgmlType.F32, C.VocabSize, targets.Count);
            uploads.Add(() =>
            {
                rowsInput.SetData<int>(targets.Select(t => t.Row).ToArray());
                var oneHot = new float[(long)C.VocabSize * targets.Count];
                for (var i = 0; i < targets.Count; i++) oneHot[(long)i * C.VocabSize + targets[i].Code] = 1;
                labels.SetData<float>(oneHot);
            });
            var logits = ctx.MulMat(_weights.LmHeads[k], flat);                                      // {vocab, n·rows}
            var term = ctx.CrossEntropyLoss(ctx.GetRows(logits, rowsInput), labels);
            ce = ce is null ? term : ctx.Add(ce.Value, term);
            scored++;
        }
        if (ce is null) throw new ArgumentException($"clips of {n} frames leave no target for any codebook under the delay pattern");
        var crossEntropy = ctx.Scale(ce.Value, 1f / scored);

        var metrics = new Dictionary<string, Tensor> { ["ce"] = crossEntropy };
        var loss = crossEntropy;
        var flag = ctx.NewInput("dropped", GgmlType.F32, 1);
        uploads.Add(() => flag.SetData<float>([dropped ? 1f : 0f]));
        metrics["dropped"] = flag;
        if (dropped && Regularization.Enabled && rows >= 2)
        {
            var textSimilarity = ctx.NewInput("text_similarity", GgmlType.F32, rows, rows);
            var offDiagonal = ctx.NewInput("off_diagonal", GgmlType.F32, rows, rows);
            uploads.Add(() =>
            {
                var pooled = batch.Select(e => Regularization.Pooling == Pooling.Max ? e.TextMax : e.TextMean).ToList();
                textSimilarity.SetData<float>(RepresentationRegularization.CosineMatrix(pooled).Select(x => (float)x).ToArray());
                offDiagonal.SetData<float>(RepresentationRegularization.OffDiagonal(rows));
            });
            var rr = RepresentationRegularization.Build(ctx, hidden, textSimilarity, offDiagonal, Regularization);
            metrics["rr"] = rr;
            loss = ctx.Add(loss, rr);
        }
        return new TrainingLoss(loss, metrics, () => { foreach (var u in uploads) u(); });
    }
}
