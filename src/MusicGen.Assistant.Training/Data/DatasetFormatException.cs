namespace MusicGen.Assistant.Training.Data;

/// <summary>
/// A dataset file that cannot be used as it is: names the file, the entry (0-based position in the file's list or
/// object) and the field path where the problem is, so a broken entry can be found and fixed by hand.
/// </summary>
public sealed class DatasetFormatException : Exception
{
    public DatasetFormatException(string file, string problem, int? entry = null, string? field = null, Exception? inner = null)
        : base(Compose(file, problem, entry, field), inner)
    {
        File = file;
        Entry = entry;
        Field = field;
        Problem = problem;
    }

    public string File { get; }
    public int? Entry { get; }
    public string? Field { get; }
    public string Problem { get; }

    private static string Compose(string file, string problem, int? entry, string? field)
    {
        var where = file;
        if (entry is { } e) where += $": entry {e}";
        if (field is not null) where += $": field '{field}'";
        return $"{where}: {problem}";
    }
}
