namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// A [codebooks, length] grid of token ids together with which cells hold a real code (true) and which were filled
/// with the special token (false). What <see cref="CodebookPattern.Build"/> and <see cref="CodebookPattern.Revert"/>
/// return: the mask is what tells a generator which predictions to force and a trainer which targets to score.
/// </summary>
public sealed record MaskedCodes(int[,] Values, bool[,] Mask)
{
    public int Codebooks => Values.GetLength(0);
    public int Length => Values.GetLength(1);
}
