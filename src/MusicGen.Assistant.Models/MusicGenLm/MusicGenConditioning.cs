namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// What the decoder cross-attends to: per batch item a sequence of <see cref="Length"/> vectors of the decoder width
/// (the projected T5 states, row-major [batch, length, dim]) and which positions are real (transformers'
/// encoder_attention_mask; padded positions are blocked). The null condition of classifier-free guidance is all-zero
/// states with every position blocked, as transformers' generate builds it, unless the conditioning carries its own
/// (<see cref="WithNullItem"/>: MusicGen-Melody's null prefix holds the projected null melody).
/// For a melody decoder the states are the prefix [projected chroma | projected text] (see <see cref="MelodyConditioning"/>).
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

    /// <summary>The null condition of one item, [length, dim], when not all zeros (see <see cref="WithNullItem"/>).</summary>
    public float[]? NullStates { get; private init; }

    /// <summary>Which positions of <see cref="NullStates"/> are attended, [length].</summary>
    public bool[]? NullKeep { get; private init; }

    /// <summary>
    /// The same conditioning with its own null condition for guidance: one item's [length, dim] states and [length]
    /// keep flags (null: every position kept), used for every null row.
    /// </summary>
    public MusicGenConditioning WithNullItem(float[] states, bool[]? keep = null)
    {
        ArgumentNullException.ThrowIfNull(states);
        if (states.LongLength != (long)Length * Dim)
            throw new ArgumentException($"null condition holds {states.LongLength} values, expected [{Length}, {Dim}] = {(long)Length * Dim}", nameof(states));
        keep ??= Enumerable.Repeat(true, Length).ToArray();
        if (keep.Length != Length)
            throw new ArgumentException($"null condition mask holds {keep.Length} values, expected {Length}", nameof(keep));
        for (var i = 0; i < states.Length; i++)
            if (!float.IsFinite(states[i]))
                throw new ArgumentException($"null condition value {i} (position {i / Dim}) is {states[i]}", nameof(states));
        return new MusicGenConditioning(HiddenStates, Keep, Batch, Length, Dim) { NullStates = states, NullKeep = keep };
    }

    /// <summary>The guidance batch: these items followed by as many null items (same length).</summary>
    public MusicGenConditioning WithNullRows()
    {
        var states = new float[HiddenStates.LongLength * 2];
        HiddenStates.CopyTo(states, 0);
        var keep = new bool[Keep.Length * 2];
        Keep.CopyTo(keep, 0);
        if (NullStates is not null)
            for (var b = 0; b < Batch; b++)
            {
                NullStates.CopyTo(states, HiddenStates.LongLength + (long)b * Length * Dim);
                NullKeep!.CopyTo(keep, Keep.Length + b * Length);
            }
        return new MusicGenConditioning(states, keep, 2 * Batch, Length, Dim);
    }
}
