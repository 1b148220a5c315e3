using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>
/// Picks the next token from a logit row as LLaMA's and M2UGen's generate() do (M2UGen/llama/utils.py sample_top_p):
/// temperature 0 → argmax; else p = softmax(logits / T), sorted descending, tokens whose preceding cumulative mass
/// already exceeds top-p dropped (cumsum − p_i > top_p), the rest renormalised and one drawn. The draw comes from a
/// seeded <see cref="Xoshiro256StarStar"/> (torch.multinomial's generator cannot be reproduced), so one seed gives one
/// sequence. Not thread-safe (one per generation).
/// </summary>
public sealed class TopPSampler
{
    private readonly Xoshiro256StarStar _random;
    private float[] _probabilities = [];
    private int[] _order = [];

    public TopPSampler(float temperature, float topP, ulong seed)
    {
        if (!(temperature >= 0) || !float.IsFinite(temperature)) throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be 0 (greedy) or positive");
        if (!(topP > 0) || topP > 1) throw new ArgumentOutOfRangeException(nameof(topP), topP, "top-p must lie in (0, 1]");
        (Temperature, TopP, Seed) = (temperature, topP, seed);
        _random = new Xoshiro256StarStar(seed);
    }

    public float Temperature { get; }
    public float TopP { get; }
    public ulong Seed { get; }

    public int Sample(ReadOnlySpan<float> logits)
    {
        if (logits.IsEmpty) throw new ArgumentException("no logits", nameof(logits));
        if (Temperature == 0) return Argmax(logits);
        var n = logits.Length;
        if (_probabilities.Length != n) { _probabilities = new float[n]; _order = new int[n]; }
        var p = _probabilities;
        var max = float.NegativeInfinity;
        foreach (var x in logits) if (x > max) max = x;
        if (!float.IsFinite(max)) throw new ArgumentException("the logits hold no finite maximum (NaN or infinite values)", nameof(logits));
        double sum = 0;
        for (var i = 0; i < n; i++) sum += p[i] = MathF.Exp((logits[i] - max) / Temperature);
        for (var i = 0; i < n; i++) { p[i] = (float)(p[i] / sum); _order[i] = i; }
        // descending probability; equal ones by id (a stable order: torch's sort gives no guarantee here)
        Array.Sort(_order, (a, b) => p[a] != p[b] ? p[b].CompareTo(p[a]) : a.CompareTo(b));
        double cumulative = 0, kept = 0;
        var count = 0;
        for (; count < n; count++)
        {
            var pi = p[_order[count]];
            cumulative += pi;
            if (cumulative - pi > TopP) break;
            kept += pi;
        }
        var target = _random.NextDouble() * kept;
        double running = 0;
        for (var i = 0; i < count; i++)
        {
            running += p[_order[i]];
            if (target < running) return _order[i];
        }
        return _order[count - 1];
    }

    /// <summary>The first index of the largest value (torch.argmax's choice).</summary>
    public static int Argmax(ReadOnlySpan<float> logits)
    {
        var best = 0;
        for (var i = 1; i < logits.Length; i++)
            if (logits[i] > logits[best]) best = i;
        return best;
    }
}
