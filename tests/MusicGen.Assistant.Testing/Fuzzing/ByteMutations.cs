using System.Buffers.Binary;

namespace MusicGen.Assistant.Testing.Fuzzing;

/// <summary>A little-endian size or count field of a format: where it is and how wide (2, 4 or 8 bytes).</summary>
public readonly record struct SizeField(int Offset, int Width, string Name);

/// <summary>
/// Seeded byte-level mutations of a valid file: bit flips, byte stamps, truncations, insertions, deletions, repeated
/// ranges, and huge or hostile values written into the format's size fields (or into random words when none are
/// named). The same seed gives the same inputs on every run.
/// </summary>
public static class ByteMutations
{
    /// <summary>Values that break size arithmetic: all ones, sign bits, just past 32 bits, "large but plausible".</summary>
    private static readonly ulong[] Hostile =
    [
        ulong.MaxValue, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF, 0x7FFF_FFFF, 0x8000_0000,
        0x1_0000_0000, 0xFFFF, 0x1_0000, 1_000_000_000, 0, 1,
    ];

    public static IEnumerable<FuzzInput> Mutate(byte[] original, string fileName, int seed, int count, IReadOnlyList<SizeField>? sizeFields = null)
    {
        var rng = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var (name, bytes) = (rng.Next(8), sizeFields is { Count: > 0 }) switch
            {
                (0, _) => FlipBits(original, rng),
                (1, _) => Stamp(original, rng),
                (2, _) => Truncate(original, rng),
                (3 or 7, true) => WriteSizeField(original, rng, sizeFields![rng.Next(sizeFields.Count)]),
                (3 or 7, false) => WriteSizeField(original, rng, new SizeField(rng.Next(Math.Max(1, original.Length - 8)), rng.Next(2) == 0 ? 4 : 8, "word")),
                (4, _) => Insert(original, rng),
                (5, _) => Delete(original, rng),
                _ => Repeat(original, rng),
            };
            yield return new FuzzInput($"#{i} {name}", bytes, fileName);
        }
    }

    /// <summary>Every hostile value in every size field, once each (a systematic sweep rather than a random draw).</summary>
    public static IEnumerable<FuzzInput> SweepSizeFields(byte[] original, string fileName, IReadOnlyList<SizeField> sizeFields)
    {
        foreach (var field in sizeFields)
            foreach (var value in Hostile)
            {
                var bytes = (byte[])original.Clone();
                if (!Write(bytes, field, value)) continue;
                yield return new FuzzInput($"{field.Name}@{field.Offset} = 0x{value:X}", bytes, fileName);
            }
    }

    private static (string, byte[]) FlipBits(byte[] original, Random rng)
    {
        var bytes = (byte[])original.Clone();
        var flips = rng.Next(1, 9);
        var at = 0;
        for (var k = 0; k < flips && bytes.Length > 0; k++)
        {
            at = rng.Next(bytes.Length);
            bytes[at] ^= (byte)(1 << rng.Next(8));
        }
        return ($"flip {flips} bit(s), last @{at}", bytes);
    }

    private static (string, byte[]) Stamp(byte[] original, Random rng)
    {
        var bytes = (byte[])original.Clone();
        if (bytes.Length == 0) return ("stamp (empty)", bytes);
        var at = rng.Next(bytes.Length);
        byte[] choices = [0x00, 0xFF, 0x7F, 0x80, 0x01];
        bytes[at] = choices[rng.Next(choices.Length)];
        return ($"stamp 0x{bytes[at]:X2} @{at}", bytes);
    }

    private static (string, byte[]) Truncate(byte[] original, Random rng)
    {
        // short files are the interesting ones: headers cut mid-field
        var length = rng.Next(2) == 0 ? rng.Next(Math.Min(original.Length, 256)) : rng.Next(original.Length);
        return ($"truncate to {length}", original[..length]);
    }

    private static (string, byte[]) WriteSizeField(byte[] original, Random rng, SizeField field)
    {
        var bytes = (byte[])original.Clone();
        var value = rng.Next(4) == 0 ? (ulong)rng.NextInt64() : Hostile[rng.Next(Hostile.Length)];
        return Write(bytes, field, value) ? ($"{field.Name}@{field.Offset} = 0x{value:X}", bytes) : FlipBits(original, rng);
    }

    private static bool Write(byte[] bytes, SizeField field, ulong value)
    {
        if (field.Offset < 0 || field.Offset + field.Width > bytes.Length) return false;
        var span = bytes.AsSpan(field.Offset, field.Width);
        switch (field.Width)
        {
            case 2: BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)value); break;
            case 4: BinaryPrimitives.WriteUInt32LittleEndian(span, (uint)value); break;
            default: BinaryPrimitives.WriteUInt64LittleEndian(span, value); break;
        }
        return true;
    }

    private static (string, byte[]) Insert(byte[] original, Random rng)
    {
        var at = rng.Next(original.Length + 1);
        var junk = new byte[rng.Next(1, 65)];
        rng.NextBytes(junk);
        return ($"insert {junk.Length} @{at}", [.. original.AsSpan(0, at), .. junk, .. original.AsSpan(at)]);
    }

    private static (string, byte[]) Delete(byte[] original, Random rng)
    {
        if (original.Length == 0) return ("delete (empty)", original);
        var at = rng.Next(original.Length);
        var length = Math.Min(original.Length - at, rng.Next(1, 65));
        return ($"delete {length} @{at}", [.. original.AsSpan(0, at), .. original.AsSpan(at + length)]);
    }

    private static (string, byte[]) Repeat(byte[] original, Random rng)
    {
        if (original.Length == 0) return ("repeat (empty)", original);
        var at = rng.Next(original.Length);
        var length = Math.Min(original.Length - at, rng.Next(1, 257));
        var times = rng.Next(2, 9);
        var chunk = original.AsSpan(at, length).ToArray();
        var result = new List<byte>(original.Length + length * times);
        result.AddRange(original.AsSpan(0, at + length));
        for (var t = 1; t < times; t++) result.AddRange(chunk);
        result.AddRange(original.AsSpan(at + length));
        return ($"repeat {length} bytes x{times} @{at}", result.ToArray());
    }
}
