using System.Text;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// The prompts of one generate request: the prompt given, or one per non-blank line of a prompts file. Everything read
/// is bounded before it is read: the file must be a regular file (not a FIFO or /dev/zero) of at most
/// <see cref="MaxFileBytes"/>, strict UTF-8, with at most <see cref="MaxPrompts"/> prompts of at most
/// <see cref="MaxPromptCharacters"/> characters each (a description, not a document: the text encoder's cost grows
/// with the square of its length).
/// </summary>
public static class PromptList
{
    /// <summary>The most prompts one file may hold (outputs are numbered NAME-001 .. NAME-999).</summary>
    public const int MaxPrompts = 999;

    /// <summary>The longest prompt (or edit description), in characters.</summary>
    public const int MaxPromptCharacters = 2000;

    /// <summary>The largest prompts file read: 1 MiB.</summary>
    public const int MaxFileBytes = 1 << 20;

    /// <summary>The prompts, trimmed; a single null means "no text" (allowed with a continuation or a melody only).</summary>
    public static IReadOnlyList<string?> Read(GenerateRequest o) => AssistantException.Guard(() =>
    {
        if (o.Prompt is not null && o.PromptsFile is not null)
            throw AssistantException.InvalidRequest("give either a prompt or --prompts FILE, not both");
        if (o.PromptsFile is { } file) return ReadFile(file);
        if (o.Prompt is null && (o.Continue is not null || o.Melody is not null)) return [null];
        if (o.Prompt is null) throw AssistantException.InvalidRequest("no prompt given: mga generate \"lo-fi hip hop beat with warm piano\" (or --prompts FILE)");
        if (string.IsNullOrWhiteSpace(o.Prompt)) throw AssistantException.InvalidRequest("the prompt is empty; describe the music to generate");
        return [Checked(o.Prompt.Trim(), "the prompt")];
    });

    /// <summary>A prompt or description within <see cref="MaxPromptCharacters"/>; <paramref name="what"/> names it in the error.</summary>
    public static string Checked(string text, string what) =>
        text.Length <= MaxPromptCharacters ? text
        : throw AssistantException.InvalidRequest($"{what} is {text.Length} characters long; a description may have at most {MaxPromptCharacters} characters");

    private static IReadOnlyList<string?> ReadFile(string file)
    {
        var path = InputFiles.Require(file, "prompts file"); // a regular file: never a FIFO or a device
        var text = ReadBounded(path, file);
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0) throw AssistantException.InvalidRequest($"prompts file '{file}' holds no prompts (one per line)");
        if (lines.Count > MaxPrompts) throw AssistantException.InvalidRequest($"prompts file '{file}' holds {lines.Count} prompts; at most {MaxPrompts} per run");
        for (var i = 0; i < lines.Count; i++) Checked(lines[i], $"prompt {i + 1} of '{file}'");
        return lines;
    }

    // At most MaxFileBytes + 1 bytes are read, whatever the file claims or grows to while it is read.
    private static string ReadBounded(string path, string given)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        if (stream.Length > MaxFileBytes)
            throw AssistantException.InvalidRequest($"prompts file '{given}' holds {stream.Length} bytes; at most {MaxFileBytes} bytes (1 MiB) are read: up to {MaxPrompts} prompts of up to {MaxPromptCharacters} characters");
        var buffer = new byte[MaxFileBytes + 1];
        var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        if (length > MaxFileBytes)
            throw AssistantException.InvalidRequest($"prompts file '{given}' grew beyond {Units.Bytes(MaxFileBytes)} while it was read");
        try
        {
            var start = length >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF ? 3 : 0; // a UTF-8 byte order mark
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, start, length - start);
        }
        catch (DecoderFallbackException e)
        {
            throw AssistantException.BadInput($"prompts file '{given}' is not UTF-8 text (invalid bytes at offset {e.Index})", e);
        }
    }
}
