namespace MusicGen.Assistant.Text.HuggingFace;

/// <summary>
/// <c>tokenizer.decode(ids)</c> of transformers 4.40's slow <c>LlamaTokenizer</c> (legacy = True), which M2UGen uses;
/// checked against the transformers source and the m2ugen-tiny tokenizer cases:
/// <list type="number">
/// <item><c>PreTrainedTokenizer._decode</c>: ids become tokens (special ids dropped first when skipping them); every
/// non-special added token ([AUD0]..) stands alone, and the runs of other tokens between them are turned into text
/// each on its own. A run that gives "" before an added token is dropped; the pieces are then joined with single
/// spaces (<c>spaces_between_special_tokens</c> = True), so "[AUD0][AUD1]" decodes to "[AUD0] [AUD1]".</item>
/// <item><c>LlamaTokenizer.convert_tokens_to_string</c> for each run: the first token loses one leading "▁" (the
/// dummy prefix the encoder added; a lone "▁" becomes "", which sentencepiece copies through as unknown text);
/// special tokens (&lt;s&gt;, &lt;/s&gt;, &lt;unk&gt;) are written as their text, preceded by a space when the
/// token before was not special and they are not first (the legacy quirk puts that space before the decoded text
/// that precedes them); the other tokens go through sentencepiece's <c>decode(pieces)</c>, which again drops one
/// leading "▁" at the start.</item>
/// </list>
/// Llama's tokenizer has <c>clean_up_tokenization_spaces</c> = False, so nothing else changes the text.
/// </summary>
internal static class LegacyLlamaDecoding
{
    private const char SpaceSymbol = '\u2581';

    /// <param name="tokens">The token strings of the ids to decode (special ones already removed if skipped).</param>
    /// <param name="isAddedToken">True for non-special added tokens, which stand alone.</param>
    /// <param name="isSpecial">True for special tokens, written as their text.</param>
    /// <param name="decodePieces">sentencepiece's <c>decode(pieces)</c>.</param>
    public static string Decode(IReadOnlyList<string> tokens, Func<string, bool> isAddedToken, Func<string, bool> isSpecial,
        Func<IEnumerable<string>, string> decodePieces)
    {
        var parts = new List<string>();
        var run = new List<string>();
        foreach (string token in tokens)
        {
            if (!isAddedToken(token))
            {
                run.Add(token);
                continue;
            }
            if (run.Count > 0)
            {
                string text = RunToString(run, isSpecial, decodePieces);
                if (text.Length > 0) parts.Add(text);
                run.Clear();
            }
            parts.Add(token);
        }
        if (run.Count > 0) parts.Add(RunToString(run, isSpecial, decodePieces));
        return string.Join(' ', parts);
    }

    private static string RunToString(List<string> tokens, Func<string, bool> isSpecial, Func<IEnumerable<string>, string> decodePieces)
    {
        if (tokens[0].Length > 0 && tokens[0][0] == SpaceSymbol) tokens[0] = tokens[0][1..];

        var output = new System.Text.StringBuilder();
        var pieces = new List<string>();
        bool previousSpecial = false;
        for (int i = 0; i < tokens.Count; i++)
        {
            if (!isSpecial(tokens[i]))
            {
                pieces.Add(tokens[i]);
                previousSpecial = false;
                continue;
            }
            if (!previousSpecial && i != 0) output.Append(' ');
            output.Append(decodePieces(pieces)).Append(tokens[i]);
            pieces.Clear();
            previousSpecial = true;
        }
        output.Append(decodePieces(pieces));
        return output.ToString();
    }
}
