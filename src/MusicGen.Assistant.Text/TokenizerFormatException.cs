namespace MusicGen.Assistant.Text;

/// <summary>
/// A tokenizer file (sentencepiece <c>.model</c> or Hugging Face <c>tokenizer.json</c>) that cannot be read.
/// The message always names the source and what was wrong.
/// </summary>
public sealed class TokenizerFormatException : FormatException
{
    public TokenizerFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: {problem}", inner)
    {
        Source = source;
        Problem = problem;
    }

    /// <summary>The file path (or a description of the in-memory source).</summary>
    public new string Source { get; }

    /// <summary>What was wrong, without the source prefix.</summary>
    public string Problem { get; }
}
