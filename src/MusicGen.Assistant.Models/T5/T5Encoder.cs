using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.T5;

/// <summary>
/// Runs the T5 encoder on a padded batch of token ids: one graph per call (a prompt is encoded once per generation,
/// so nothing is cached between calls besides the executor's compute memory).
/// </summary>
public sealed class T5Encoder : IDisposable
{
    private readonly T5Weights _weights;
    private readonly GraphExecutor _executor;

    public T5Encoder(T5Weights weights, ComputeBackend backend)
    {
        _weights = weights;
        _executor = new GraphExecutor(backend, T5Graph.Capacity(weights.Config) + 64);
    }

    /// <summary>Loads the T5 encoder of a GGUF file (converted from a MusicGen checkpoint) onto a backend.</summary>
    public static T5Encoder Load(string ggufPath, ComputeBackend backend)
    {
        using var file = GgufFile.Open(ggufPath);
        return Load(file, backend);
    }

    /// <summary>Loads the T5 encoder of an open GGUF file onto a backend; the result owns its weights.</summary>
    public static T5Encoder Load(GgufFile file, ComputeBackend backend)
    {
        var weights = new T5Weights(file, T5Metadata.Read(file.Metadata), backend);
        try { return new T5Encoder(weights, backend) { OwnsWeights = true }; }
        catch { weights.Dispose(); throw; }
    }

    public T5Config Config => _weights.Config;
    public ComputeBackend Backend => _executor.Backend;
    private bool OwnsWeights { get; init; }

    /// <summary>Bytes of model weights on the backend.</summary>
    public long WeightBytes => _weights.ResidentBytes;

    /// <summary>
    /// T5EncoderModel(input_ids, attention_mask).last_hidden_state: [B, L, d_model], row-major. Padded positions
    /// (mask 0) are ignored as keys but still computed as queries, as in transformers.
    /// </summary>
    /// <param name="ids">[B, L] token ids in [0, vocab_size).</param>
    /// <param name="mask">[B, L] attention mask: 1 for tokens, 0 for padding.</param>
    public float[] Encode(int[,] ids, int[,] mask) => Encode(ids, mask, head: null);

    /// <summary>
    /// Runs the encoder and, when <paramref name="head"/> is given, a further stage on its output {d_model, L, B}
    /// inside the same graph; returns that stage's result (a contiguous {width, L, B} tensor) as [B, L, width].
    /// </summary>
    public float[] Encode(int[,] ids, int[,] mask, Func<GgmlContext, Tensor, Tensor>? head)
    {
        var (batch, length) = CheckInputs(ids, mask);
        using var ctx = new GgmlContext(T5Graph.Capacity(Config) + 64);
        var idInput = ctx.NewInput("t5.input_ids", GgmlType.I32, (long)length * batch);
        var bucketInput = ctx.NewInput("t5.position_buckets", GgmlType.I32, (long)length * length);
        var keyBias = ctx.NewInput("t5.key_bias", GgmlType.F32, length, 1, 1, batch);
        var hidden = new T5Graph(ctx, _weights).Encode(idInput, bucketInput, keyBias, length, batch);
        var output = head is null ? hidden : head(ctx, hidden);
        if (output.Ne1 != length || output.Ne2 != batch || output.Ne3 != 1)
            throw new ArgumentException($"the head must keep the {length} positions × {batch} rows, it returned {output.ShapeText}", nameof(head));
        if (!output.IsContiguous) output = ctx.Cont(output);
        ctx.MarkOutput(output);
        var graph = ctx.NewGraph().Expand(output);

        _executor.Allocate(graph);
        idInput.SetData<int>(Flatten(ids));
        bucketInput.SetData<int>(T5RelativePosition.Grid(length, Config.RelativeAttentionNumBuckets, Config.RelativeAttentionMaxDistance));
        keyBias.SetData<float>(KeyBias(mask));
        _executor.Compute(graph);
        return output.ToFloatArray();
    }

    private (int Batch, int Length) CheckInputs(int[,] ids, int[,] mask)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(mask);
        int batch = ids.GetLength(0), length = ids.GetLength(1);
        if (batch < 1 || length < 1) throw new ArgumentException($"input_ids [{batch}, {length}] is empty", nameof(ids));
        // checked before anything is sized by the length: attention and the bucket grid grow with its square
        if (length > T5Config.Limits.InputTokens)
            throw new ArgumentException(
                $"the text is {length} tokens long (end-of-sequence included); the T5 text encoder takes at most {T5Config.Limits.InputTokens} " +
                "(t5-base's n_positions): shorten the prompt");
        if (mask.GetLength(0) != batch || mask.GetLength(1) != length)
            throw new ArgumentException($"attention_mask [{mask.GetLength(0)}, {mask.GetLength(1)}] does not match input_ids [{batch}, {length}]", nameof(mask));
        for (var b = 0; b < batch; b++)
            for (var t = 0; t < length; t++)
            {
                if ((uint)ids[b, t] >= Config.VocabSize)
                    throw new ArgumentException($"input_ids[{b}, {t}] = {ids[b, t]} is outside the vocabulary [0, {Config.VocabSize})", nameof(ids));
                if (mask[b, t] is not (0 or 1))
                    throw new ArgumentException($"attention_mask[{b}, {t}] = {mask[b, t]}; expected 0 (padding) or 1 (token)", nameof(mask));
            }
        return (batch, length);
    }

    private static int[] Flatten(int[,] values)
    {
        var flat = new int[values.Length];
        var i = 0;
        foreach (var v in values) flat[i++] = v;
        return flat;
    }

    // transformers' extended mask: (1 - mask) * finfo(float32).min. A finite value keeps an all-padding row defined
    // (uniform weights) where -inf would give NaN.
    private static float[] KeyBias(int[,] mask)
    {
        var flat = new float[mask.Length];
        var i = 0;
        foreach (var m in mask) flat[i++] = m == 1 ? 0f : float.MinValue;
        return flat;
    }

    public void Dispose()
    {
        _executor.Dispose();
        if (OwnsWeights) _weights.Dispose();
    }
}
