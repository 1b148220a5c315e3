using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>What <see cref="LlamaModel.Forward"/> downloads besides nothing: each costs an output buffer.</summary>
[Flags]
public enum LlamaOutputs
{
    Logits = 1,

    /// <summary>The token embeddings (transformers' hidden_states[0]).</summary>
    Embeddings = 2,

    /// <summary>Every block's output (the last one before the final norm: M2UGen's music_output_embedding).</summary>
    LayerOutputs = 4,

    /// <summary>The last block's output after the final norm (transformers' last hidden_states entry).</summary>
    NormedHidden = 8,
}

/// <summary>A teacher-forced pass over n tokens; arrays are row-major [n, width] (position-major, as PyTorch's).</summary>
public sealed record LlamaForward(int Length, float[]? Logits, float[]? Embeddings, IReadOnlyList<float[]>? LayerOutputs, float[]? NormedHidden);

/// <summary>
/// A LLaMA on a backend: weights uploaded once (<see cref="LlamaWeights"/>), a graph executor whose compute memory is
/// reused, teacher forcing over a whole sequence (<see cref="Forward"/>) and incremental decoding with a KV cache
/// (<see cref="StartSession"/>). An <see cref="IAttentionOutputHook"/> (M2UGen's adapter term) enters every graph.
/// </summary>
public sealed class LlamaModel : IDisposable
{
    public LlamaModel(LlamaWeights weights, ComputeBackend backend)
    {
        Weights = weights;
        Backend = backend;
        Executor = new GraphExecutor(backend, LlamaGraph.Capacity(weights.Config) + 64);
        // decode steps are small graphs run hundreds of times: keep the CPU workers between them
        backend.KeepWorkerThreads();
    }

    /// <summary>Loads the LLaMA of a GGUF file (llama.cpp's or ours) onto a backend.</summary>
    public static LlamaModel Load(string ggufPath, ComputeBackend backend, bool repackMatrices = true)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, backend, repackMatrices);
    }

    /// <param name="repackMatrices">See <see cref="LlamaWeights"/>: off keeps every weight in the file's layout.</param>
    public static LlamaModel Load(GgufFile file, ComputeBackend backend, bool repackMatrices = true)
    {
        var weights = new LlamaWeights(file, LlamaMetadata.Read(file), backend, repackMatrices);
        try { return new LlamaModel(weights, backend) { OwnsWeights = true }; }
        catch { weights.Dispose(); throw; }
    }

    public LlamaConfig Config => Weights.Config;
    public LlamaWeights Weights { get; }
    public ComputeBackend Backend { get; }

    /// <summary>Wall time per stage (build, allocate, upload, compute, download) of every call so far.</summary>
    public StageTimings Timings { get; } = new();

    internal GraphExecutor Executor { get; }
    private bool OwnsWeights { get; init; }

    /// <summary>Bumped whenever the executor's memory is laid out for another graph (a kept graph must then be re-allocated).</summary>
    internal long AllocationEpoch { get; private set; }

    internal void Allocate(ComputeGraph graph)
    {
        AllocationEpoch++;
        Executor.Allocate(graph);
    }

    internal void Reserve(ComputeGraph graph)
    {
        AllocationEpoch++;
        Executor.Reserve(graph);
    }

    /// <summary>
    /// Teacher forcing (transformers' LlamaForCausalLM.forward, M2UGen's forward_inference from position 0): token ids
    /// → what <paramref name="outputs"/> asks for, every position, under a causal mask.
    /// </summary>
    public LlamaForward Forward(ReadOnlySpan<int> tokens, LlamaOutputs outputs = LlamaOutputs.Logits, IAttentionOutputHook? hook = null)
    {
        CheckTokens(tokens);
        var n = tokens.Length;
        if (n > Config.ContextLength)
            throw new ArgumentException($"{n} tokens exceed the model's context of {Config.ContextLength}", nameof(tokens));
        var build = Timings.Measure("build");
        using var ctx = new GgmlContext(LlamaGraph.Capacity(Config) + 16);
        var graph = new LlamaGraph(ctx, Weights, hook);
        var ids = ctx.NewInput("tokens", GgmlType.I32, n);
        var positions = ctx.NewInput("positions", GgmlType.I32, n);
        var mask = n > 1 ? ctx.NewInput("mask", GgmlType.F32, n, n) : (Tensor?)null;
        var g = ctx.NewGraph();
        var embedded = graph.Embed(ids);
        var layers = new List<Tensor>();
        var hidden = graph.Blocks(embedded, positions, mask, graph.Uncached(),
            outputs.HasFlag(LlamaOutputs.LayerOutputs) ? (_, t) => layers.Add(ctx.MarkOutput(t)) : null);
        Tensor? normed = null, logits = null;
        if (outputs.HasFlag(LlamaOutputs.NormedHidden) || outputs.HasFlag(LlamaOutputs.Logits))
            normed = graph.Norm(hidden);
        if (outputs.HasFlag(LlamaOutputs.Logits)) logits = ctx.MarkOutput(graph.Logits(normed!.Value));
        if (outputs.HasFlag(LlamaOutputs.NormedHidden)) ctx.MarkOutput(normed!.Value);
        if (outputs.HasFlag(LlamaOutputs.Embeddings)) g.Expand(ctx.MarkOutput(embedded));
        foreach (var t in layers) g.Expand(t);
        if (logits is { } l) g.Expand(l);
        if (outputs.HasFlag(LlamaOutputs.NormedHidden)) g.Expand(normed!.Value);
        if (g.NodeCount == 0) g.Expand(hidden);
        build.Dispose();

        using (Timings.Measure("allocate")) Allocate(g);
        using (Timings.Measure("upload"))
        {
            ids.SetData<int>(tokens);
            positions.SetData<int>(Enumerable.Range(0, n).ToArray());
            if (mask is { } m) m.SetData<float>(AttentionMasks.Causal(0, n));
        }
        using (Timings.Measure("compute")) Executor.Compute(g);
        using (Timings.Measure("download"))
            return new LlamaForward(n,
                logits?.ToFloatArray(),
                outputs.HasFlag(LlamaOutputs.Embeddings) ? embedded.ToFloatArray() : null,
                outputs.HasFlag(LlamaOutputs.LayerOutputs) ? layers.Select(t => t.ToFloatArray()).ToList() : null,
                outputs.HasFlag(LlamaOutputs.NormedHidden) ? normed!.Value.ToFloatArray() : null);
    }

    /// <summary>
    /// The embedding rows of <paramref name="tokens"/>, [n, dim] (tok_embeddings(tokens); dequantized when the table
    /// is stored quantized): M2UGen's projector adds those of [AUD0..7] to the gathered hidden states.
    /// </summary>
    public float[] Embed(ReadOnlySpan<int> tokens)
    {
        CheckTokens(tokens);
        using var ctx = new GgmlContext(8);
        var ids = ctx.NewInput("tokens", GgmlType.I32, tokens.Length);
        var rows = ctx.MarkOutput(new LlamaGraph(ctx, Weights).Embed(ids));
        var g = ctx.NewGraph().Expand(rows);
        Allocate(g);
        ids.SetData<int>(tokens);
        Executor.Compute(g);
        return rows.ToFloatArray();
    }

    /// <summary>
    /// Starts incremental decoding: a KV cache for <paramref name="capacity"/> positions (at most the model's context)
    /// reserved once, with <paramref name="hook"/> in every graph of the session.
    /// </summary>
    public LlamaSession StartSession(int capacity, IAttentionOutputHook? hook = null, GgmlType cacheType = GgmlType.F32)
    {
        if (capacity < 1 || capacity > Config.ContextLength)
            throw new ArgumentOutOfRangeException(nameof(capacity), capacity, $"a session holds 1..{Config.ContextLength} positions (the model's context)");
        return new LlamaSession(this, capacity, hook, cacheType);
    }

    /// <summary>Throws naming the first id outside the vocabulary (ggml would read past the embedding table).</summary>
    public void CheckTokens(ReadOnlySpan<int> tokens)
    {
        if (tokens.Length == 0) throw new ArgumentException("no tokens", nameof(tokens));
        for (var i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)Config.VocabSize)
                throw new ArgumentException($"token {tokens[i]} at position {i} is outside the vocabulary [0, {Config.VocabSize})", nameof(tokens));
    }

    public void Dispose()
    {
        Executor.Dispose();
        if (OwnsWeights) Weights.Dispose();
    }
}
