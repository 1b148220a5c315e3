namespace MusicGen.Assistant.Models.Vision;

/// <summary>
/// What a vision encoder returns for a batch, as transformers' BaseModelOutputWithPooling. Every array is row-major
/// with the batch first: states [batch, sequence, hidden] (sequence = CLS token + patches), pooled [batch, hidden].
/// </summary>
/// <param name="LastHiddenState">last_hidden_state: the last block's output after the final LayerNorm (what M2UGen's
/// adapters read).</param>
/// <param name="PoolerOutput">pooler_output: tanh(dense(CLS of last_hidden_state)); null when the model has no pooler.</param>
/// <param name="HiddenStates">hidden_states when asked for: [0] the embeddings, [i] block i's output (not normed),
/// num_hidden_layers + 1 arrays; empty otherwise.</param>
public sealed record VisionEncoderOutput(
    int Batch, int SequenceLength, int HiddenSize,
    float[] LastHiddenState, float[]? PoolerOutput, IReadOnlyList<float[]> HiddenStates)
{
    /// <summary>One item's last_hidden_state, [sequence, hidden].</summary>
    public ReadOnlyMemory<float> LastHiddenStateOf(int item)
    {
        if ((uint)item >= (uint)Batch) throw new ArgumentOutOfRangeException(nameof(item), $"item {item} of a batch of {Batch}");
        var length = SequenceLength * HiddenSize;
        return LastHiddenState.AsMemory(item * length, length);
    }
}
