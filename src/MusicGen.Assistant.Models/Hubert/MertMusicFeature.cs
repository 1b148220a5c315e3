namespace MusicGen.Assistant.Models.Hubert;

/// <summary>
/// M2UGen's music feature: each MERT hidden state averaged over time, [states, hidden] (25 × 1024 for MERT-v1-330M),
/// the input of the music adapter's Conv1d(25 → 1) aggregation. Over several windows the average is weighted by
/// frames, so it equals the mean over every frame of the track.
/// </summary>
public sealed class MertMusicFeature
{
    private readonly float[] _values;

    public MertMusicFeature(float[] values, int stateCount, int hiddenSize, long frames, int windows)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (stateCount < 1 || hiddenSize < 1 || values.Length != (long)stateCount * hiddenSize)
            throw new ArgumentException($"{values.Length} values are not [{stateCount} states, {hiddenSize}]", nameof(values));
        if (frames < 1 || windows < 1) throw new ArgumentOutOfRangeException(nameof(frames), $"{frames} frames in {windows} windows: need at least one of each");
        (_values, StateCount, HiddenSize, Frames, Windows) = (values, stateCount, hiddenSize, frames, windows);
    }

    /// <summary>Hidden states per frame: num_hidden_layers + 1.</summary>
    public int StateCount { get; }
    public int HiddenSize { get; }

    /// <summary>Frames averaged, over all windows.</summary>
    public long Frames { get; }

    /// <summary>Windows the track was encoded in.</summary>
    public int Windows { get; }

    /// <summary>All means, [states, hidden] row-major.</summary>
    public ReadOnlySpan<float> Values => _values;

    /// <summary>The time average of hidden state <paramref name="index"/> (0 = embedding output).</summary>
    public ReadOnlySpan<float> State(int index) =>
        (uint)index < (uint)StateCount ? _values.AsSpan(index * HiddenSize, HiddenSize)
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"states are 0..{StateCount - 1}");
}
