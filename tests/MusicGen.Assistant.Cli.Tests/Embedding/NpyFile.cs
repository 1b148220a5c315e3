using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;

namespace MusicGen.Assistant.Cli.Tests.Embedding;

/// <summary>Reads a float32 NPY 1.0 file as NumPy's format spec describes it, for checking what <c>mga embed</c> wrote.</summary>
internal static partial class NpyFile
{
    [GeneratedRegex(@"^\{'descr': '<f4', 'fortran_order': False, 'shape': \((?<shape>[0-9, ]*)\), \} *\n$")]
    private static partial Regex Header();

    public static (float[] Values, long[] Shape) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        int length = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
        Assert.Equal(0, (10 + length) % 64);
        var match = Header().Match(Encoding.ASCII.GetString(bytes, 10, length));
        Assert.True(match.Success, $"unexpected NPY header '{Encoding.ASCII.GetString(bytes, 10, length)}'");
        var shape = match.Groups["shape"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        var data = bytes.AsSpan(10 + length);
        var values = new float[data.Length / 4];
        for (var i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(4 * i)..]);
        Assert.Equal(shape.Aggregate(1L, (a, b) => a * b), values.Length);
        return (values, shape);
    }
}
