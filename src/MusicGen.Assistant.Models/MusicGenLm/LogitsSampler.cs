namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Chooses next tokens from logit rows (one row = one codebook of one batch item, float[vocab]): guidance
/// (<see cref="ClassifierFreeGuidance"/>), then either greedy argmax or transformers' warper chain (temperature, top-k,
/// top-p), softmax and a multinomial draw from its own seeded <see cref="Xoshiro256StarStar"/>. The same seed and the
/// same sequence of calls give the same tokens. Not thread-safe (one instance per generation).
/// </summary>
/// <remarks>
/// Filter order follows transformers (top-k, then top-p on what is left). audiocraft applies only one of them (top-p
/// wins when set); with its defaults (top-p off) both agree.
/// </remarks>
public sealed class LogitsSampler
{
    private readonly Xoshiro256StarStar _random;
    private float[] _work = [];
    private float[] _probabilities = [];

    public LogitsSampler(SamplingSettings settings, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        Settings = settings;
        Seed = seed;
        _random = new Xoshiro256StarStar(seed);
    }

    public SamplingSettings Settings { get; }
    public ulong Seed { get; }

    /// <summary>Applies the enabled filters of <see cref="Settings"/> in place, in transformers' order.</summary>
    public void Warp(Span<float> logits)
    {
        LogitsWarpers.CheckRow(logits);
        if (Settings.Temperature != 1f) LogitsWarpers.ApplyTemperature(logits, Settings.Temperature);
        if (Settings.TopK > 0) LogitsWarpers.ApplyTopK(logits, Settings.TopK);
        if (Settings.TopP < 1f) LogitsWarpers.ApplyTopP(logits, Settings.TopP);
    }

    /// <summary>Which tokens survive the filters (true = may be sampled).</summary>
    public bool[] KeepMask(ReadOnlySpan<float> logits)
    {
        var warped = Warped(logits);
        var keep = new bool[logits.Length];
        for (var i = 0; i < keep.Length; i++) keep[i] = float.IsFinite(warped[i]);
        return keep;
    }

    /// <summary>The distribution a sampled token is drawn from: softmax of the filtered logits (exact 0 where filtered).</summary>
    public float[] Probabilities(ReadOnlySpan<float> logits)
    {
        var probabilities = new float[logits.Length];
        LogitsWarpers.Softmax(Warped(logits), probabilities);
        return probabilities;
    }

    /// <summary>Mixes a conditional / unconditional pair with the configured guidance scale, then picks a token.</summary>
    public int SampleGuided(ReadOnlySpan<float> cond, ReadOnlySpan<float> uncond)
    {
        var mixed = Scratch(ref _work, cond.Length);
        ClassifierFreeGuidance.Mix(cond, uncond, Settings.GuidanceScale, mixed);
        return SampleInPlace(mixed);
    }

    /// <summary>Picks a token from already guided logits: argmax when greedy, else a draw from <see cref="Probabilities"/>.</summary>
    public int Sample(ReadOnlySpan<float> logits)
    {
        var work = Scratch(ref _work, logits.Length);
        logits.CopyTo(work);
        return SampleInPlace(work);
    }

    /// <summary>
    /// Picks one token per row of a row-major [rows, vocab] block (e.g. the K codebooks of one step), rows in order,
    /// so the random stream is consumed the same way on every run.
    /// </summary>
    public void SampleRows(ReadOnlySpan<float> logits, int vocabSize, Span<int> tokens)
    {
        if (vocabSize < 1)
            throw new ArgumentOutOfRangeException(nameof(vocabSize), vocabSize, "the vocabulary must be non-empty");
        if (logits.Length != tokens.Length * vocabSize)
            throw new ArgumentException($"{logits.Length} logits are not {tokens.Length} rows of {vocabSize}", nameof(logits));
        for (var r = 0; r < tokens.Length; r++)
            tokens[r] = Sample(logits.Slice(r * vocabSize, vocabSize));
    }

    /// <summary>Index of the largest logit; the first one wins a tie (torch.argmax's rule).</summary>
    public static int Argmax(ReadOnlySpan<float> logits)
    {
        LogitsWarpers.CheckRow(logits);
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        if (float.IsNegativeInfinity(logits[best]))
            throw new ArgumentException("every logit of the row is -inf: no token to choose", nameof(logits));
        return best;
    }

    /// <summary>
    /// Inverse-CDF draw: the first token whose cumulative probability exceeds <paramref name="uniform"/> × total.
    /// Tokens of probability 0 are never returned, whatever the rounding.
    /// </summary>
    public static int SampleFromProbabilities(ReadOnlySpan<float> probabilities, double uniform)
    {
        if (!(uniform >= 0 && uniform < 1))
            throw new ArgumentOutOfRangeException(nameof(uniform), uniform, "expected a uniform number in [0, 1)");
        var total = 0.0;
        var last = -1;
        for (var i = 0; i < probabilities.Length; i++)
        {
            var p = probabilities[i];
            if (!(p >= 0) || float.IsInfinity(p))
                throw new ArgumentException($"probability {i} is {p}", nameof(probabilities));
            total += p;
            if (p > 0) last = i;
        }
        if (last < 0) throw new ArgumentException("every probability is 0: nothing to sample", nameof(probabilities));
        var target = uniform * total;
        var cumulative = 0.0;
        for (var i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] == 0) continue;
            cumulative += probabilities[i];
            if (target < cumulative) return i;
        }
        return last; // only reachable through rounding at the very top of the range
    }

    private int SampleInPlace(Span<float> logits)
    {
        if (!Settings.UseSampling) return Argmax(logits);
        Warp(logits);
        var probabilities = Scratch(ref _probabilities, logits.Length);
        LogitsWarpers.Softmax(logits, probabilities);
        return SampleFromProbabilities(probabilities, _random.NextDouble());
    }

    private float[] Warped(ReadOnlySpan<float> logits)
    {
        var copy = logits.ToArray();
        Warp(copy);
        return copy;
    }

    private static Span<float> Scratch(ref float[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
