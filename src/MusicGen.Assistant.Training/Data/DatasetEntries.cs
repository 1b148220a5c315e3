namespace MusicGen.Assistant.Training.Data;

/// <summary>
/// The id each kind of entry has for the splits: a clip's file stem (its captions, MusicQA conversations and the
/// MUImage / MUVideo entries making music for it share its split), an edit pair's target stem without "-target", an
/// Alpaca entry's position. Membership comes from the published lists (splits/*.txt) where an id is listed, else from
/// the seeded hash rule, so real M2UGen files without lists split reproducibly too.
/// </summary>
public sealed class DatasetEntries
{
    private readonly Dictionary<string, Split> _listed = new(StringComparer.Ordinal);

    public DatasetEntries(DatasetLayout layout, DatasetSplits fallback)
    {
        Layout = layout;
        Fallback = fallback;
        if (Directory.Exists(layout.Splits))
            foreach (var s in Enum.GetValues<Split>())
                if (File.Exists(Path.Combine(layout.Splits, DatasetSplits.FileName(s))))
                    foreach (var id in DatasetSplits.Read(layout.Splits, s)) _listed[id] = s;
    }

    public DatasetLayout Layout { get; }
    public DatasetSplits Fallback { get; }

    public Split SplitOf(string id) => _listed.TryGetValue(id, out var s) ? s : Fallback.Of(id);

    public static string AlpacaId(int index) => $"alpaca-{index:D5}";

    public static string ClipId(string file) => Path.GetFileNameWithoutExtension(file);

    public static string EditId(string outputFile)
    {
        var stem = Path.GetFileNameWithoutExtension(outputFile);
        return stem.EndsWith("-target", StringComparison.Ordinal) ? stem[..^"-target".Length] : stem;
    }
}
