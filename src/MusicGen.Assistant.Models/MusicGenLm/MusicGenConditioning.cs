namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// What the decoder cross-attends to: per batch item a sequence of <see cref="Length"/> vectors of the decoder width
/// (the projected T5 states, row-major [batch, length, dim]) and which positions are real (transformers'
/// encoder_attention_mask; padded positions are blocked). The null condition of classifier-free guidance is all-zero
/// states with every position blocked, as transformers' generate builds it.
/// </summary>
public sealed class MusicGenConditioning
{
    public MusicGenConditioning(float[] hiddenStates, bool[]? keep, int batch, int length, int dim)
    {
        ArgumentNullException.ThrowIfNull(hiddenStates);
        if (batch < 1 || length < 1 || dim < 1)
            throw new ArgumentOutOfRangeException(nameof(batch), $"conditioning of {batch} items x {length} positions x {dim} must be non-empty");
        if (hiddenStates.LongLength != (long)batch * length * dim)
            throw new ArgumentException($"conditioning holds {hiddenStates.LongLength} values, expected [{batch}, {length}, {dim}] = {(long)batch * length * dim}", nameof(hiddenStates));
        keep ??= Enumerable.Repeat(true, batch * length).ToArray();
        if (keep.Length != batch * length)
            throw new ArgumentException($"conditioning mask holds {keep.Length} values, expected [{batch}, {length}]", nameof(keep));
        for (var i = 0; i < hiddenStates.Length; i++)
            if (!float.IsFinite(hiddenStates[i]))
                throw new ArgumentException($"conditioning value {i} (item {i / (length * dim)}, position {i / dim % length}) is {hiddenStates[i]}", nameof(hiddenStates));
        (HiddenStates, Keep, Batch, Length, Dim) = (hiddenStates, keep, batch, length, dim);
    }

    /// <summary>Row-major [batch, length, dim].</summary>
    public float[] HiddenStates { get; }

    /// <summary>Row-major [batch, length]: true = attend to this position.</summary>
    public bool[] Keep { get; }
    public int Batch { get; }
    public int Length { get; }
    public int Dim { get; }

    /// <summary>From transformers' int mask (1 = real token, 0 = padding).</summary>
    public static MusicGenConditioning FromAttentionMask(float[] hiddenStates, IReadOnlyList<long> attentionMask, int batch, int length, int dim)
    {
        var keep = new bool[attentionMask.Count];
        for (var i = 0; i < keep.Length; i++)
            keep[i] = attentionMask[i] switch
            {
                1 => true,
                0 => false,
                var x => throw new ArgumentException($"attention mask value {x} at {i} is neither 0 nor 1", nameof(attentionMask)),
            };
        return new MusicGenConditioning(hiddenStates, keep, batch, length, dim);
    }

    /// <summary>The null condition: zero states, every position blocked.</summary>
    public static MusicGenConditioning Null(int batch, int length, int dim) =>
        new(new float[(long)batch * length * dim], new bool[batch * length], batch, length, dim);

    /// <summary>The guidance batch: these items followed by as many null items (same length).</summary>
    public MusicGenConditioning WithNullRows()
    {
        var states = new float[HiddenStates.LongLength * 2];
        HiddenStates.CopyTo(states, 0);
        var keep = new bool[Keep.Length * 2];
        Keep.CopyTo(keep, 0);
        return new MusicGenConditioning(states, keep, 2 * Batch, Length, Dim);
    }
}
