namespace MusicGen.Assistant.Training.Data;

public enum Split { Train, Valid, Test }

/// <summary>
/// Train / valid / test membership by a seeded hash of each entry's id: SHA-256("seed/split/id") read as a fraction
/// in [0, 1) and compared with the cumulative shares. An id's split never depends on the other ids, so a dataset can
/// grow without moving anything; the lists are written as files (splits/train.txt, ...) for others to reproduce.
/// </summary>
public sealed record DatasetSplits(ulong Seed, double Train, double Valid, double Test)
{
    public DatasetSplits Validate()
    {
        if (Train < 0 || Valid < 0 || Test < 0 || Math.Abs(Train + Valid + Test - 1) > 1e-9)
            throw new ArgumentException($"split shares {Train}/{Valid}/{Test} must be >= 0 and sum to 1");
        return this;
    }

    public Split Of(string id)
    {
        var u = Procedural.SeededRandom.Hash(Seed, "split/" + id) / 18446744073709551616.0;
        return u < Train ? Split.Train : u < Train + Valid ? Split.Valid : Split.Test;
    }

    public static string FileName(Split s) => s switch { Split.Train => "train.txt", Split.Valid => "valid.txt", _ => "test.txt" };

    /// <summary>Writes splits/{train,valid,test}.txt (one id per line, in the given order).</summary>
    public void Write(string folder, IEnumerable<string> ids)
    {
        var groups = ids.GroupBy(Of).ToDictionary(g => g.Key, g => g.ToList());
        foreach (var s in Enum.GetValues<Split>())
            JsonDatasetFile.WriteText(Path.Combine(folder, FileName(s)),
                string.Concat((groups.TryGetValue(s, out var list) ? list : []).Select(id => id + "\n")));
    }

    /// <summary>Reads a published split list back (ids, blank lines skipped).</summary>
    public static IReadOnlySet<string> Read(string folder, Split s)
    {
        var path = Path.Combine(folder, FileName(s));
        if (!File.Exists(path)) throw new DatasetFormatException(path, "does not exist (a dataset folder holds splits/train.txt, valid.txt and test.txt)");
        return File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
    }
}
