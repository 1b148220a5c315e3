namespace MusicGen.Assistant.Demo;

/// <summary>
/// What the embedded untrained assistant says, token by token: the prompt's last token (":" of "### Response:") is
/// followed by these words, then [AUD0]..[AUD7], then a newline and "###" (the stop marker M2UGen's generate() checks).
/// <see cref="DemoAssistantLlama"/> arranges its output head as the bigram table of this chain.
/// </summary>
public static class DemoReply
{
    /// <summary>The reply's words, each one token (a whole piece of <see cref="DemoLlamaTokenizer"/>).</summary>
    public static IReadOnlyList<string> Words { get; } = ["Here", "is", "an", "UNTRAINED", "demo", "track"];

    public static IReadOnlyList<string> AudioTokens { get; } = Enumerable.Range(0, 8).Select(i => $"[AUD{i}]").ToArray();

    /// <summary>The pieces of the chain in order: the trigger, the words, the [AUD] tokens, then "\n", "#", "##".</summary>
    public static IReadOnlyList<string> Chain { get; } =
        [":", .. Words.Select(w => "\u2581" + w), .. AudioTokens, "<0x0A>", "#", "##"];
}
