using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>Conversions between fixture vectors (flat doubles) and the int[,] / float[] the MusicGenLm code takes.</summary>
internal static class Grids
{
    /// <summary>A vector as [rows, last dim], all leading dimensions folded into rows (PyTorch's reshape(-1, n)).</summary>
    public static int[,] Matrix(ReferenceVector v) => Matrix(v.Values(), v.Shape);

    public static int[,] Matrix(double[] values, long[] shape)
    {
        var cols = (int)shape[^1];
        var rows = cols == 0 ? 0 : values.Length / cols;
        var m = new int[rows, cols];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < cols; c++)
            {
                var x = values[r * cols + c];
                if (x != Math.Round(x)) throw new InvalidDataException($"value {x} at [{r}, {c}] is not an integer token id");
                m[r, c] = (int)x;
            }
        return m;
    }

    public static int[,] Matrix(int[][] rows)
    {
        var m = new int[rows.Length, rows.Length == 0 ? 0 : rows[0].Length];
        for (var r = 0; r < rows.Length; r++)
            for (var c = 0; c < rows[r].Length; c++) m[r, c] = rows[r][c];
        return m;
    }

    public static double[] Flat(int[,] m) => m.Cast<int>().Select(x => (double)x).ToArray();

    public static long[] Shape(int[,] m) => [m.GetLength(0), m.GetLength(1)];

    public static int[] Row(int[,] m, int r) => Enumerable.Range(0, m.GetLength(1)).Select(c => m[r, c]).ToArray();

    /// <summary>Rows [from, from + count) of a matrix.</summary>
    public static int[,] Rows(int[,] m, int from, int count)
    {
        var result = new int[count, m.GetLength(1)];
        for (var r = 0; r < count; r++)
            for (var c = 0; c < m.GetLength(1); c++) result[r, c] = m[from + r, c];
        return result;
    }

    public static float[] Floats(ReferenceVector v) => v.Values().Select(x => (float)x).ToArray();

    public static string Show(int[,] m) =>
        string.Join("\n", Enumerable.Range(0, m.GetLength(0)).Select(r => string.Join(" ", Row(m, r))));
}
