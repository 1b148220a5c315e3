using System.Text;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// The instruction template (prompts/m2ugen-instruction.txt: M2UGen's format_prompt with a {history} slot) and the
/// layout of one earlier turn (prompts/m2ugen-history-turn.txt), loaded from text files at run time and used byte for
/// byte. Placeholders are filled in one pass, so a message that itself contains "{response}" stays as typed.
/// Immutable and thread-safe.
/// </summary>
public sealed class PromptTemplate
{
    public const string InstructionFile = "m2ugen-instruction.txt";
    public const string HistoryTurnFile = "m2ugen-history-turn.txt";
    public const string FolderVariable = "MGA_PROMPTS";

    private PromptTemplate(string instruction, string historyTurn, string source) =>
        (Instruction, HistoryTurn, Source) = (instruction, historyTurn, source);

    /// <summary>The instruction template as loaded ({history} and {instruction} in it).</summary>
    public string Instruction { get; }

    /// <summary>One earlier turn ({instruction} and {response} in it).</summary>
    public string HistoryTurn { get; }

    public string Source { get; }

    /// <summary>Whether earlier turns have a place in the prompt (without {history} each turn stands alone, as in M2UGen).</summary>
    public bool CarriesHistory => Instruction.Contains("{history}", StringComparison.Ordinal);

    /// <summary>
    /// Loads the two files from <paramref name="folder"/>, else $MGA_PROMPTS, else the prompts/ folder beside the
    /// program, else the nearest prompts/ folder above it (a source checkout).
    /// </summary>
    public static PromptTemplate Load(string? folder = null)
    {
        var dir = folder ?? Environment.GetEnvironmentVariable(FolderVariable) ?? Locate()
            ?? throw AssistantException.Runtime($"no prompts folder with {InstructionFile} found beside the program ({AppContext.BaseDirectory}) or above it; set {FolderVariable} to the repository's prompts/ folder");
        string Read(string name)
        {
            var path = Path.Combine(dir, name);
            try { return File.ReadAllText(path, new UTF8Encoding(false, true)); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                throw AssistantException.Runtime($"cannot read the prompt template '{path}': {e.Message}", e);
            }
        }
        return FromText(Read(InstructionFile), Read(HistoryTurnFile), dir);
    }

    /// <summary>A template from its two texts; each placeholder must appear as the files' README says.</summary>
    public static PromptTemplate FromText(string instruction, string historyTurn, string source = "<in memory>")
    {
        Require(instruction, "{instruction}", 1, 1, InstructionFile, source);
        Require(instruction, "{history}", 0, 1, InstructionFile, source);
        Require(historyTurn, "{instruction}", 1, 1, HistoryTurnFile, source);
        Require(historyTurn, "{response}", 1, 1, HistoryTurnFile, source);
        return new PromptTemplate(instruction, historyTurn, source);
    }

    /// <summary>The whole prompt: earlier turns (message, reply as the model wrote it) in order, then this message.</summary>
    public string Format(IReadOnlyList<(string Instruction, string Response)> history, string instruction)
    {
        var earlier = new StringBuilder();
        if (CarriesHistory)
            foreach (var (i, r) in history) earlier.Append(Fill(HistoryTurn, ("{instruction}", i), ("{response}", r)));
        return Fill(Instruction, ("{history}", earlier.ToString()), ("{instruction}", instruction));
    }

    // one pass over the template: replaced text is never scanned again
    private static string Fill(string template, params (string Key, string Value)[] values)
    {
        var result = new StringBuilder(template.Length + values.Sum(v => v.Value.Length));
        var at = 0;
        while (at < template.Length)
        {
            var next = values.Select(v => (v, index: template.IndexOf(v.Key, at, StringComparison.Ordinal)))
                .Where(x => x.index >= 0).OrderBy(x => x.index).FirstOrDefault();
            if (next.v.Key is null) { result.Append(template, at, template.Length - at); break; }
            result.Append(template, at, next.index - at).Append(next.v.Value);
            at = next.index + next.v.Key.Length;
        }
        return result.ToString();
    }

    private static void Require(string text, string placeholder, int min, int max, string file, string source)
    {
        var count = 0;
        for (var i = text.IndexOf(placeholder, StringComparison.Ordinal); i >= 0; i = text.IndexOf(placeholder, i + 1, StringComparison.Ordinal)) count++;
        if (count < min || count > max)
            throw AssistantException.Runtime($"{Path.Combine(source, file)}: {placeholder} appears {count} time(s); expected {(min == max ? $"{min}" : $"{min} to {max}")}");
    }

    private static string? Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "prompts");
            if (File.Exists(Path.Combine(candidate, InstructionFile))) return candidate;
        }
        return null;
    }
}
