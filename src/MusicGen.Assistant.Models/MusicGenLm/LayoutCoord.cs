namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// One cell of a codebook interleaving pattern: the code of codebook <see cref="Codebook"/> (q) at audio frame
/// <see cref="Timestep"/> (t). audiocraft calls it <c>LayoutCoord(t, q)</c>.
/// </summary>
public readonly record struct LayoutCoord(int Timestep, int Codebook)
{
    public override string ToString() => $"(t={Timestep}, q={Codebook})";
}
