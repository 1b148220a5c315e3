namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// Collects the hidden states of [AUD] tokens exactly as M2UGen's generate() does: a counter walks [AUD0]..[AUD7];
/// when the sampled token equals the token the counter expects, the last block's pre-norm hidden state at the
/// position that predicted it is appended (the first [AUD0] of a run clears what was gathered), the counter advances
/// and wraps to 0 after [AUD7]. Any other token leaves the counter where it is. Music is made only when exactly as
/// many states as [AUD] tokens were gathered.
/// </summary>
public sealed class AudioTokenCapture(IReadOnlyList<int> audioTokens, int dim)
{
    /// <summary>M2UGen's num_gen_audio_tokens.</summary>
    public const int DefaultCount = 8;

    private readonly List<float[]> _states = [];
    private int _next;

    public IReadOnlyList<int> AudioTokens { get; } = audioTokens;

    /// <summary>Where the counter stands: the index of the [AUD] token expected next.</summary>
    public int Expected => _next;

    public int Count => _states.Count;

    /// <summary>Sees a sampled token and the hidden state [dim] of the position that predicted it.</summary>
    public void Observe(int token, ReadOnlySpan<float> hidden)
    {
        if (AudioTokens.Count == 0 || token != AudioTokens[_next]) return;
        if (hidden.Length != dim) throw new ArgumentException($"a hidden state of {hidden.Length} values, expected {dim}", nameof(hidden));
        if (_next == 0) _states.Clear();
        _states.Add(hidden.ToArray());
        _next++;
        if (_next >= AudioTokens.Count) _next = 0;
    }

    /// <summary>[n_aud, dim] when exactly one state per [AUD] token was gathered, else null (no music).</summary>
    public float[]? Collected()
    {
        if (AudioTokens.Count == 0 || _states.Count != AudioTokens.Count) return null;
        var result = new float[_states.Count * dim];
        for (var i = 0; i < _states.Count; i++) _states[i].CopyTo(result, i * dim);
        return result;
    }
}
