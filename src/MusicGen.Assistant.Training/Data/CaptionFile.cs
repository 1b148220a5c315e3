using System.Text.Json;

namespace MusicGen.Assistant.Training.Data;

/// <summary>One media file and its caption.</summary>
public sealed record CaptionEntry(string File, string Caption);

/// <summary>
/// MUCaps' MUCapsCaptions.json (and the { file: caption } files of COCO and MUVideo stage 1): one JSON object
/// mapping each media file name to its caption. Duplicate names are refused (JSON would silently keep one).
/// </summary>
public static class CaptionFile
{
    public static IReadOnlyList<CaptionEntry> Read(string path)
    {
        using var doc = JsonDatasetFile.Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
            throw new DatasetFormatException(path, $"must be a JSON object {{\"file\": \"caption\"}}, not a {JsonDatasetFile.Kind(doc.RootElement)}");
        var result = new List<CaptionEntry>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = 0;
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (string.IsNullOrWhiteSpace(p.Name)) throw new DatasetFormatException(path, "has an empty file name", i);
            if (seen.TryGetValue(p.Name, out var first))
                throw new DatasetFormatException(path, $"names '{p.Name}' again (first at entry {first})", i, p.Name);
            seen[p.Name] = i;
            if (p.Value.ValueKind != JsonValueKind.String)
                throw new DatasetFormatException(path, $"caption must be a string, not a {JsonDatasetFile.Kind(p.Value)}", i, p.Name);
            var caption = p.Value.GetString()!;
            if (string.IsNullOrWhiteSpace(caption)) throw new DatasetFormatException(path, "caption is empty", i, p.Name);
            result.Add(new CaptionEntry(p.Name, caption));
            i++;
        }
        return result;
    }

    public static void Write(string path, IEnumerable<CaptionEntry> entries)
    {
        var list = entries.ToList();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in list)
        {
            if (string.IsNullOrWhiteSpace(e.File) || string.IsNullOrWhiteSpace(e.Caption))
                throw new ArgumentException($"caption entry '{e.File}' has an empty file name or caption");
            if (!names.Add(e.File)) throw new ArgumentException($"caption entries name '{e.File}' twice");
        }
        JsonDatasetFile.Write(path, w =>
        {
            w.WriteStartObject();
            foreach (var e in list) w.WriteString(e.File, e.Caption);
            w.WriteEndObject();
        });
    }
}
