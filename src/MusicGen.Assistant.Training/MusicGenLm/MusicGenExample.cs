namespace MusicGen.Assistant.Training.MusicGenLm;

/// <summary>
/// One MusicGen fine-tuning item: the EnCodec codes [K, T] of its audio, and its text condition: the T5 states after
/// enc_to_dec_proj [length, hidden] (row-major, frozen, computed once) with the pooled text vectors the
/// representation regularization compares.
/// </summary>
public sealed record MusicGenExample(string Id, int[,] Codes, float[] Text, int TextLength, double[] TextMax, double[] TextMean)
{
    public int Frames => Codes.GetLength(1);
}
