using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;

namespace MusicGen.Assistant.Generation;

/// <summary>The prompts of one generate request: the prompt given, or one per non-blank line of a prompts file.</summary>
public static class PromptList
{
    /// <summary>The most prompts one file may hold (outputs are numbered NAME-001 .. NAME-999).</summary>
    public const int MaxPrompts = 999;

    /// <summary>The prompts, trimmed; a single null means "no text" (allowed with a continuation or a melody only).</summary>
    public static IReadOnlyList<string?> Read(GenerateRequest o)
    {
        if (o.Prompt is not null && o.PromptsFile is not null)
            throw AssistantException.InvalidRequest("give either a prompt or --prompts FILE, not both");
        if (o.PromptsFile is { } file)
        {
            var path = InputFiles.Require(file, "prompts file");
            var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
            if (lines.Count == 0) throw AssistantException.InvalidRequest($"prompts file '{file}' holds no prompts (one per line)");
            if (lines.Count > MaxPrompts) throw AssistantException.InvalidRequest($"prompts file '{file}' holds {lines.Count} prompts; at most {MaxPrompts} per run");
            return lines;
        }
        if (o.Prompt is null && (o.Continue is not null || o.Melody is not null)) return [null];
        if (o.Prompt is null) throw AssistantException.InvalidRequest("no prompt given: mga generate \"lo-fi hip hop beat with warm piano\" (or --prompts FILE)");
        if (string.IsNullOrWhiteSpace(o.Prompt)) throw AssistantException.InvalidRequest("the prompt is empty; describe the music to generate");
        return [o.Prompt.Trim()];
    }
}
