using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Optimization;
using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>
/// M2UGen's training forward (M2UGen.forward) on our graphs: the attached medium through its adapter, the LLaMA with
/// the gated adapter term in the injected layers (<see cref="TrainingAdapterHook"/>), cross-entropy on the answer
/// tokens only (logits at t predict token t+1; prompt positions masked), and for answers ending in [AUD0..7] the
/// output projector on the hidden states that predicted them plus the [AUD] embeddings against its target (MSE),
/// added with weight 1 as engine_train.py does. A micro-batch's loss is the mean of its sequences' losses.
/// </summary>
public sealed class M2UGenTrainingTask : ITrainingTask<M2UGenExample>
{
    private readonly M2UGenTrainingModel _model;

    public M2UGenTrainingTask(M2UGenTrainingModel model, M2UGenTrainable groups, string name)
    {
        _model = model;
        Groups = groups;
        Name = name;
        Parameters = model.Select(groups);
    }

    public string Name { get; }
    public M2UGenTrainable Groups { get; }
    public ComputeBackend Backend => _model.Llama.Model.Backend;
    public IReadOnlyList<TrainableParameter> Parameters { get; }

    private LlamaConfig Config => _model.Llama.Config;

    public int ForwardTensors(IReadOnlyList<M2UGenExample> batch)
    {
        var adapter = _model.Adapters.Values.Select(a => AdapterGraph.Capacity(a.Config)).DefaultIfEmpty(0).Max();
        var projector = _model.Projector is { } p ? ProjectorGraph.Capacity(p.Config) + 16 : 0;
        // a block with the adapter term: about 112 tensors (LlamaGraph.Capacity) plus the term's dozen
        return batch.Count * (LlamaGraph.Capacity(Config) + 16 * Config.BlockCount + adapter + projector + 32) + 8;
    }

    /// <summary>Checks an example against the model before any graph is built (ids, lengths, features, target).</summary>
    public void Check(M2UGenExample e)
    {
        var tokens = e.Prompt.Tokens;
        if (tokens.Length < 2 || e.Prompt.PromptLength < 1 || e.Prompt.PromptLength >= tokens.Length)
            throw new ArgumentException($"{e.Id}: needs at least one prompt and one answer token ({e.Prompt.PromptLength} of {tokens.Length})");
        if (tokens.Length > Config.ContextLength)
            throw new ArgumentException($"{e.Id}: {tokens.Length} tokens exceed the LLaMA's context of {Config.ContextLength}");
        GgmlContext.CheckIndices(tokens, Config.VocabSize, $"{e.Id}: token ids");
        if (e.Media is { } m)
        {
            if (!_model.Adapters.TryGetValue(m.Modality, out var a))
                throw new ArgumentException($"{e.Id}: attaches {m.Modality.Name()}, but no {m.Modality.Name()} adapter was loaded");
            if (m.Channels != a.Config.Channels || m.Width != a.Config.InWidth || m.Values.Length != m.Channels * m.Width)
                throw new ArgumentException($"{e.Id}: {m.Modality.Name()} features [{m.Channels}, {m.Width}] ({m.Values.Length} values) do not fit the adapter's [{a.Config.Channels}, {a.Config.InWidth}]");
        }
        if (e.ProjectorTarget is { } target && _model.Projector is { } p)
        {
            if (target.Length != p.Config.OutputTokens * p.Config.OutDim)
                throw new ArgumentException($"{e.Id}: a projector target of {target.Length} values; the projector gives [{p.Config.OutputTokens}, {p.Config.OutDim}]");
            _ = AudRows(e);
        }
    }

    public TrainingLoss BuildLoss(GgmlContext ctx, IReadOnlyList<M2UGenExample> batch, SeededRandom random, bool training)
    {
        foreach (var e in batch) Check(e);
        var uploads = new List<Action>();
        Tensor? total = null, ceSum = null, mseSum = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var (ce, mse) = Sequence(ctx, batch[i], i, uploads);
            var loss = mse is { } m ? ctx.Add(ce, m) : ce;
            total = total is null ? loss : ctx.Add(total.Value, loss);
            ceSum = ceSum is null ? ce : ctx.Add(ceSum.Value, ce);
            if (mse is { } mm) mseSum = mseSum is null ? mm : ctx.Add(mseSum.Value, mm);
        }
        var scale = 1f / batch.Count;
        var metrics = new Dictionary<string, Tensor> { ["ce"] = ctx.Scale(ceSum!.Value, scale) };
        if (mseSum is { } s) metrics["mse"] = ctx.Scale(s, scale);
        return new TrainingLoss(ctx.Scale(total!.Value, scale), metrics, () => { foreach (var u in uploads) u(); });
    }

    // One sequence: its answer cross-entropy and, with a projector target, the projector MSE.
    private (Tensor Ce, Tensor? Mse) Sequence(GgmlContext ctx, M2UGenExample e, int index, List<Action> uploads)
    {
        var weights = _model.Llama.Model.Weights;
        var n = e.Length;
        var ids = ctx.NewInput($"tokens-{index}", GgmlType.I32, n);
        var positions = ctx.NewInput($"positions-{index}", GgmlType.I32, n);
        var mask = ctx.NewInput($"mask-{index}", GgmlType.F32, n, n);
        uploads.Add(() =>
        {
            ids.SetData<int>(e.Prompt.Tokens);
            positions.SetData<int>(Enumerable.Range(0, n).ToArray());
            mask.SetData<float>(AttentionMasks.Causal(0, n));
        });

        var present = new Dictionary<M2UGenModality, Tensor>();
        if (e.Media is { } media)
        {
            var adapter = _model.Adapters[media.Modality];
            var features = ctx.NewInput($"features-{index}", GgmlType.F32, media.Width, media.Channels, 1);
            uploads.Add(() => features.SetData<float>(media.Values));
            present[media.Modality] = new AdapterGraph(ctx, adapter).Build(features, timeAveraged: media.Modality == M2UGenModality.Music).Token;
        }

        var graph = new LlamaGraph(ctx, weights, new TrainingAdapterHook(weights, _model.Llama.Bridge, present));
        var hidden = graph.Blocks(graph.Embed(ids), positions, mask, graph.Uncached());      // {dim, n}: before the final norm
        var logits = graph.Logits(graph.Norm(hidden));                                         // {vocab, n}

        // logits at position t predict token t+1: the answer tokens [P, n) are predicted by rows [P-1, n-1)
        var p = e.Prompt.PromptLength;
        var answer = n - p;
        var rows = ctx.NewInput($"answer_rows-{index}", GgmlType.I32, answer);
        var labels = ctx.NewInput($"labels-{index}", GgmlType.F32, Config.VocabSize, answer);
        uploads.Add(() =>
        {
            rows.SetData<int>(Enumerable.Range(p - 1, answer).ToArray());
            var oneHot = new float[(long)Config.VocabSize * answer];
            for (var j = 0; j < answer; j++) oneHot[(long)j * Config.VocabSize + e.Prompt.Tokens[p + j]] = 1f;
            labels.SetData<float>(oneHot);
        });
        var ce = ctx.CrossEntropyLoss(ctx.GetRows(logits, rows), labels);

        if (e.ProjectorTarget is not { } target || _model.Projector is not { } projector) return (ce, null);
        var (hiddenRows, audIds) = AudRows(e);
        var c = projector.Config;
        var hr = ctx.NewInput($"aud_rows-{index}", GgmlType.I32, hiddenRows.Length);
        var ai = ctx.NewInput($"aud_ids-{index}", GgmlType.I32, audIds.Length);
        var t = ctx.NewInput($"projector_target-{index}", GgmlType.F32, c.OutDim, c.OutputTokens);
        uploads.Add(() =>
        {
            hr.SetData<int>(hiddenRows);
            ai.SetData<int>(audIds);
            t.SetData<float>(target);
        });
        var h = ctx.Reshape(ctx.GetRows(hidden, hr), Config.EmbeddingLength, hiddenRows.Length, 1);
        var output = new ProjectorGraph(ctx, projector).BuildOutputProjector(h, ctx.GetRows(weights.TokenEmbedding, ai)).Output;
        var diff = ctx.Sub(ctx.Reshape(output, c.OutDim, c.OutputTokens), t);
        return (ce, ctx.Scale(ctx.Sum(ctx.Sqr(diff)), 1f / (c.OutDim * c.OutputTokens)));
    }

    /// <summary>
    /// The projector's inputs of an answer holding [AUD0..AUDk]: the hidden rows of the positions that predicted each
    /// [AUD] token (M2UGen's final_hidden[start:start+8] with start the index of [AUD0] in the shifted labels) and the
    /// [AUD] ids whose embeddings are added.
    /// </summary>
    private (int[] HiddenRows, int[] AudIds) AudRows(M2UGenExample e)
    {
        var aud = _model.Llama.AudioTokenIds;
        var need = _model.Projector!.Config.InputTokens;
        if (aud.Count < need) throw new ArgumentException($"the LLaMA names {aud.Count} [AUD] tokens; the projector takes {need}");
        var tokens = e.Prompt.Tokens;
        var start = Array.IndexOf(tokens, aud[0], e.Prompt.PromptLength);
        if (start < 0 || start + need > tokens.Length || !tokens.AsSpan(start, need).SequenceEqual(aud.Take(need).ToArray()))
            throw new ArgumentException($"{e.Id}: has a projector target, but its answer does not hold [AUD0]..[AUD{need - 1}] in order (truncated by the token limit?)");
        return (Enumerable.Range(start - 1, need).ToArray(), aud.Take(need).ToArray());
    }
}
