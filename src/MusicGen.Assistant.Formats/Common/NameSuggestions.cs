namespace MusicGen.Assistant.Formats.Common;

/// <summary>Picks the names closest to a missing one, so "not found" errors point at the likely typo.</summary>
internal static class NameSuggestions
{
    /// <summary>" Closest names: a, b, c." or a note that there are no names at all.</summary>
    public static string Describe(string missing, IEnumerable<string> candidates, int count = 5)
    {
        var closest = candidates
            .Select(name => (name, distance: EditDistance(missing, name)))
            .OrderBy(pair => pair.distance)
            .ThenBy(pair => pair.name, StringComparer.Ordinal)
            .Take(count)
            .Select(pair => "'" + pair.name + "'")
            .ToList();
        return closest.Count == 0 ? " There are no names to choose from." : " Closest names: " + string.Join(", ", closest) + ".";
    }

    /// <summary>Levenshtein distance with two rolling rows.</summary>
    public static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
