using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// The prompt of one turn: the template with as many of the latest earlier turns as fit, then this message, tokenized
/// with bos as M2UGen does. The context must hold the prompt plus a reply budget of min(max new tokens, half the
/// context), so history never squeezes the reply below half the context; the oldest turns go first.
/// </summary>
internal sealed record ConversationPrompt(int[] Ids, int HistoryKept, int HistoryDropped, int ReplyBudget)
{
    public static ConversationPrompt Build(PromptTemplate template, LlamaTokenizer tokenizer, int context,
        IReadOnlyList<ConversationTurn> history, string message, int maxNewTokens)
    {
        var reserve = Math.Min(maxNewTokens, context / 2);
        var earlier = template.CarriesHistory ? history.Select(t => (t.UserText, t.HistoryReply)).ToList() : [];
        var first = 0;
        int[] ids;
        while (true)
        {
            ids = tokenizer.Encode(template.Format(earlier.GetRange(first, earlier.Count - first), message));
            if (ids.Length + reserve <= context || first == earlier.Count) break;
            first++;
        }
        if (ids.Length >= context)
            throw AssistantException.InvalidRequest(
                $"the message makes a prompt of {ids.Length} tokens (template included), but the model's context holds {context}; shorten it");
        return new ConversationPrompt(ids, earlier.Count - first, first, Math.Min(maxNewTokens, context - ids.Length));
    }
}

/// <summary>
/// A finished turn as the conversation remembers it.
/// </summary>
/// <param name="UserText">The message as typed.</param>
/// <param name="ReplyText">The reply shown ([AUD] tokens left out).</param>
/// <param name="HadMusic">The reply held [AUD0..7].</param>
/// <param name="AudioTokens">How the tokenizer spells [AUD0..7] (for <see cref="HistoryReply"/>).</param>
public sealed record ConversationTurn(string UserText, string ReplyText, bool HadMusic, IReadOnlyList<string> Attachments,
    string? TrackPath, IReadOnlyList<string>? AudioTokens = null)
{
    /// <summary>
    /// The reply as it re-enters a later prompt: its text, then " [AUD0]...[AUD7]" with no spaces between the tokens
    /// when it made music (M2UGen's instruction data: answer + " " + "[AUD0]…[AUD7]"), so the model sees its own
    /// answers in the form it was trained on.
    /// </summary>
    public string HistoryReply => HadMusic && AudioTokens is { Count: > 0 } aud ? $"{ReplyText.TrimEnd()} {string.Concat(aud)}" : ReplyText;
}
