namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// MusicGen's sinusoidal position table (transformers' MusicgenSinusoidalPositionalEmbedding.get_embedding, audiocraft's
/// create_sin_embedding): for position p and i &lt; half = dim/2, phase = p · exp(-i · ln(10000) / (half - 1)), row p =
/// [cos(phase_0..half-1) | sin(phase_0..half-1)] (cos first; the divisor is half - 1), zero-padded when dim is odd.
/// Computed in float32 step by step as PyTorch does, so it matches the table transformers saves.
/// </summary>
public static class SinusoidalPositions
{
    /// <summary>Rows 0..positions-1 of the table, row-major [positions, dim].</summary>
    public static float[] Table(int positions, int dim)
    {
        if (positions < 1) throw new ArgumentOutOfRangeException(nameof(positions), positions, "need at least one position");
        if (dim < 4) throw new ArgumentOutOfRangeException(nameof(dim), dim, "the table needs at least two frequencies (dim ≥ 4)");
        var half = dim / 2;
        var step = (float)-(Math.Log(10000) / (half - 1));
        var frequencies = new float[half];
        for (var i = 0; i < half; i++) frequencies[i] = MathF.Exp(i * step);
        var table = new float[(long)positions * dim];
        for (var p = 0; p < positions; p++)
        {
            var row = table.AsSpan((int)((long)p * dim), dim);
            for (var i = 0; i < half; i++)
            {
                var phase = p * frequencies[i];
                row[i] = MathF.Cos(phase);
                row[half + i] = MathF.Sin(phase);
            }
        }
        return table;
    }
}
