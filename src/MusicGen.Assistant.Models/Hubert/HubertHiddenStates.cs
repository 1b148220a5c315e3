namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// Every hidden state of one sequence, as transformers' <c>output_hidden_states=True</c> lists them: index 0 is the
/// embedding output (feature projection + positional conv), index i the output of layer i - 1, the last one
/// last_hidden_state. Each state is [frames, hidden] row-major (hidden fastest). In a padded batch the frames past
/// <see cref="ValidFrames"/> are still computed, as in transformers, and are not part of <see cref="MeanOverTime"/>.
/// </summary>
public sealed class HubertHiddenStates
{
    private readonly float[][] _states;

    public HubertHiddenStates(float[][] states, int frames, int hiddenSize, int validFrames)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.Length == 0 || frames < 1 || hiddenSize < 1)
            throw new ArgumentException($"{states.Length} states of [{frames}, {hiddenSize}]: need at least one non-empty state");
        if (validFrames < 0 || validFrames > frames)
            throw new ArgumentOutOfRangeException(nameof(validFrames), validFrames, $"valid frames must lie in [0, {frames}]");
        for (var i = 0; i < states.Length; i++)
            if (states[i]?.Length != (long)frames * hiddenSize)
                throw new ArgumentException($"state {i} holds {states[i]?.Length} values, expected {frames} x {hiddenSize}", nameof(states));
        (_states, Frames, HiddenSize, ValidFrames) = (states, frames, hiddenSize, validFrames);
    }

    /// <summary>Number of states: num_hidden_layers + 1.</summary>
    public int Count => _states.Length;
    public int Frames { get; }
    public int HiddenSize { get; }

    /// <summary>Frames that come from real samples (all of them unless the sequence was padded in a batch).</summary>
    public int ValidFrames { get; }

    /// <summary>State <paramref name="index"/> as [frames, hidden].</summary>
    public ReadOnlySpan<float> this[int index] =>
        (uint)index < (uint)_states.Length ? _states[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"hidden states are 0..{_states.Length - 1}");

    public ReadOnlySpan<float> LastHiddenState => _states[^1];

    /// <summary>
    /// The time average of each state over the valid frames: [count, hidden] row-major (M2UGen's
    /// <c>torch.stack(hidden_states).squeeze().mean(-2)</c> for one window). Accumulated in double.
    /// </summary>
    public float[] MeanOverTime()
    {
        if (ValidFrames == 0) throw new InvalidOperationException("no valid frames to average");
        var means = new float[Count * HiddenSize];
        var sums = new double[HiddenSize];
        for (var s = 0; s < Count; s++)
        {
            Array.Clear(sums);
            var state = _states[s];
            for (var t = 0; t < ValidFrames; t++)
                for (var h = 0; h < HiddenSize; h++)
                    sums[h] += state[t * HiddenSize + h];
            for (var h = 0; h < HiddenSize; h++) means[s * HiddenSize + h] = (float)(sums[h] / ValidFrames);
        }
        return means;
    }
}
