namespace MusicGen.Assistant.Native.Cpu;

/// <summary>
/// CPU sets in the kernel's two spellings: the list format ("0-3,8,10-11", as in /proc/self/status Cpus_allowed_list
/// and cgroup cpuset files) and the affinity bit mask sched_getaffinity fills (CPU i = bit i % 8 of byte i / 8).
/// </summary>
public static class CpuList
{
    /// <summary>The CPU ids of a list such as "0-3,8"; empty text gives none. Throws <see cref="FormatException"/> on anything else.</summary>
    public static IReadOnlyList<int> Parse(string text)
    {
        var ids = new SortedSet<int>();
        foreach (var raw in text.Trim().Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var part = raw.Trim();
            var dash = part.IndexOf('-');
            var (first, last) = dash < 0 ? (Id(part), Id(part)) : (Id(part[..dash]), Id(part[(dash + 1)..]));
            if (last < first) throw new FormatException($"CPU range '{part}' runs backwards");
            if (last - first > 65536) throw new FormatException($"CPU range '{part}' is implausibly large");
            for (var i = first; i <= last; i++) ids.Add(i);
        }
        return ids.ToList();

        static int Id(string s) => int.TryParse(s, System.Globalization.NumberStyles.None, null, out var v) && v < 1 << 20
            ? v
            : throw new FormatException($"'{s}' is not a CPU number");
    }

    /// <summary>The CPU ids whose bits are set in an affinity mask.</summary>
    public static IReadOnlyList<int> FromMask(ReadOnlySpan<byte> mask)
    {
        var ids = new List<int>();
        for (var b = 0; b < mask.Length; b++)
            for (var bit = 0; bit < 8; bit++)
                if ((mask[b] & (1 << bit)) != 0) ids.Add(8 * b + bit);
        return ids;
    }
}
