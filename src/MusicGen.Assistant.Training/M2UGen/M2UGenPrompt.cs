using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Training.M2UGen;

/// <summary>A training sequence: BOS + prompt + answer token ids, and how many leading ids are prompt (not supervised).</summary>
public sealed record PromptTokens(int[] Tokens, int PromptLength)
{
    public int AnswerLength => Tokens.Length - PromptLength;
}

/// <summary>
/// M2UGen's prompt (llama/utils.py format_prompt, the Alpaca template) and how a training pair becomes tokens: the
/// prompt and the answer are encoded as one string (the answer follows "Response:" directly), and the first
/// len(encode(prompt)) labels are masked, as M2UGen's datasets do. A template file (the repository's
/// prompts/m2ugen-instruction.txt, with "{instruction}" and an optional "{history}") may replace the built-in one;
/// training sequences are single turns, so {history} is empty.
/// </summary>
public sealed class M2UGenPrompt
{
    public const string DefaultTemplate =
        "Below is an instruction that describes a task. Write a response that appropriately completes the request.\n\n### Instruction:\n{instruction}\n\n### Response:";

    public const string Placeholder = "{instruction}";
    public const string HistoryPlaceholder = "{history}";

    /// <summary>The application's instruction template file in a prompts/ folder.</summary>
    public const string TemplateFile = "m2ugen-instruction.txt";

    public M2UGenPrompt(LlamaTokenizer tokenizer, string? template = null, int maxTokens = 1024)
    {
        Tokenizer = tokenizer;
        Template = template ?? DefaultTemplate;
        if (!Template.Contains(Placeholder, StringComparison.Ordinal))
            throw new ArgumentException($"a prompt template must contain {Placeholder}");
        if (maxTokens < 4) throw new ArgumentOutOfRangeException(nameof(maxTokens), maxTokens, "at least 4 tokens");
        MaxTokens = maxTokens;
    }

    public LlamaTokenizer Tokenizer { get; }
    public string Template { get; }

    /// <summary>M2UGen's max_words: longer sequences are cut (answers lose their tail).</summary>
    public int MaxTokens { get; }

    /// <summary>Reads a template file (UTF-8, with {instruction}).</summary>
    public static string LoadTemplate(string path)
    {
        var text = File.ReadAllText(path);
        return text.Contains(Placeholder, StringComparison.Ordinal) ? text
            : throw new InvalidDataException($"{path}: a prompt template must contain {Placeholder}");
    }

    public string Format(string instruction) =>
        Template.Replace(HistoryPlaceholder, "", StringComparison.Ordinal).Replace(Placeholder, instruction, StringComparison.Ordinal);

    /// <summary>prompts/m2ugen-instruction.txt in <paramref name="start"/> or the nearest folder above it holding one (a checkout), else null.</summary>
    public static string? FindTemplate(string start)
    {
        for (var dir = new DirectoryInfo(Path.GetFullPath(start)); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "prompts", TemplateFile);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>Tokens of prompt + answer with the prompt length, or null when the prompt alone leaves no room for an answer token.</summary>
    public PromptTokens? Encode(string instruction, string answer)
    {
        var prompt = Format(instruction);
        var promptLength = Tokenizer.Encode(prompt).Length;
        var tokens = Tokenizer.Encode(prompt + answer);
        if (tokens.Length > MaxTokens) tokens = tokens[..MaxTokens];
        return promptLength < tokens.Length ? new PromptTokens(tokens, promptLength) : null;
    }
}
