using MusicGen.Assistant.Models.Llama;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// Turns the reply's tokens into text deltas as they come: the text is what the reply shows (cut at its first newline
/// token, [AUD] tokens left out, as M2UGen's UI strips them), decoded whole each time so SentencePiece's spacing and
/// multi-byte characters come out right; a delta is sent only once the text has settled (no half UTF-8 sequence).
/// </summary>
internal sealed class ReplyTextStream(ILlamaTextDecoder decoder, IReadOnlyCollection<int> audioTokens, int newline)
{
    private readonly List<int> _shown = [];
    private string _sent = "";
    private bool _cut;

    /// <summary>The delta this token adds to the shown text ("" when none).</summary>
    public string Add(int token)
    {
        if (_cut) return "";
        if (token == newline) { _cut = true; return ""; }
        if (audioTokens.Contains(token)) return "";
        _shown.Add(token);
        var text = decoder.Decode(_shown);
        if (text.EndsWith('\uFFFD') || !text.StartsWith(_sent, StringComparison.Ordinal)) return "";
        var delta = text[_sent.Length..];
        _sent = text;
        return delta;
    }

    /// <summary>The shown text of the whole reply.</summary>
    public string Text => decoder.Decode(_shown).Trim();
}
