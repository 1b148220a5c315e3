using System.Text;
using System.Text.Json;

namespace MusicGen.Assistant.Training.Data;

/// <summary>
/// Reading and writing the JSON files of the dataset formats: parse errors become <see cref="DatasetFormatException"/>s
/// with the line, and writes go to a temporary file renamed over the target, so a failed write never leaves half a file.
/// </summary>
internal static class JsonDatasetFile
{
    /// <summary>Largest dataset JSON file read (the biggest published M2UGen file is tens of MB).</summary>
    public const long MaxBytes = 2L << 30;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 32, CommentHandling = JsonCommentHandling.Disallow };

    public static JsonDocument Parse(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (!info.Exists) throw new DatasetFormatException(path, Directory.Exists(path) ? "is a folder, not a JSON file" : "does not exist");
        if (info.Length > MaxBytes) throw new DatasetFormatException(path, $"is {info.Length} bytes, more than the {MaxBytes}-byte limit of a dataset file");
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DatasetFormatException(path, $"cannot be read: {e.Message}", inner: e); }
        catch (UnauthorizedAccessException e) { throw new DatasetFormatException(path, $"cannot be read: {e.Message}", inner: e); }
        try { return JsonDocument.Parse(bytes, Options); }
        catch (JsonException e)
        {
            var line = e.LineNumber is { } l ? $" at line {l + 1}, byte {e.BytePositionInLine + 1}" : "";
            throw new DatasetFormatException(path, $"is not valid JSON{line}: {e.Message}", inner: e);
        }
        catch (ArgumentException e) { throw new DatasetFormatException(path, $"is not valid UTF-8 JSON: {e.Message}", inner: e); }
    }

    /// <summary>The root array (each element an entry), or a clear error.</summary>
    public static JsonElement RootArray(JsonDocument doc, string path, string what)
    {
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw new DatasetFormatException(path, $"must be a JSON list of {what}, not a {Kind(doc.RootElement)}");
        return doc.RootElement;
    }

    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "list",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    /// <summary>Writes through <paramref name="write"/> into a temp file beside <paramref name="path"/>, then renames it.</summary>
    public static void Write(string path, Action<Utf8JsonWriter> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                write(writer);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>Writes text atomically (split lists, CSVs).</summary>
    public static void WriteText(string path, string text)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            File.WriteAllText(temp, text, new UTF8Encoding(false));
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
