using Microsoft.Extensions.AI;
using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.ChatClient;

/// <summary>A chat client call as a conversation: earlier turns, the last track, and this turn.</summary>
internal sealed record MappedTurn(IReadOnlyList<ConversationTurn> History, AudioBuffer? LastTrack, TurnRequest Request);

/// <summary>
/// Maps a message list onto the conversation model: every user message up to the last one, with the assistant message
/// that answered it, is an earlier turn (their text; an assistant message holding audio counts as a reply that made
/// music); the last message must be the user's and is the turn (its text, and its audio/image/video
/// <see cref="DataContent"/> as attachments). System messages have no place in M2UGen's template and are refused.
/// With "use last track" the last audio the assistant sent is the turn's music input.
/// </summary>
internal static class ChatMessageMapping
{
    public static MappedTurn Map(IEnumerable<ChatMessage> messages, AssistantModelSet set, TurnOptions options, bool useLastTrack)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages.ToList();
        if (list.Count == 0 || list[^1].Role != ChatRole.User)
            throw AssistantException.InvalidRequest("the last chat message must be the user's: it is the turn the assistant answers");
        if (list.FirstOrDefault(m => m.Role != ChatRole.User && m.Role != ChatRole.Assistant) is { } other)
            throw AssistantException.InvalidRequest($"a '{other.Role}' message: M2UGen's prompt has only instructions and responses (user and assistant messages)");

        var history = new List<ConversationTurn>();
        DataContent? lastAudio = null;
        var pending = new List<string>();
        foreach (var m in list.Take(list.Count - 1))
        {
            if (m.Role == ChatRole.User) { pending.Add(m.Text); continue; }
            var audio = m.Contents.OfType<DataContent>().LastOrDefault(d => d.HasTopLevelMediaType("audio"));
            lastAudio = audio ?? lastAudio;
            history.Add(new ConversationTurn(string.Join("\n", pending), m.Text, audio is not null, [], null, set.Parts.AudioTokens));
            pending.Clear();
        }
        var current = list[^1];
        var text = string.Join("\n", pending.Append(current.Text).Where(t => t.Length > 0));
        var attachments = current.Contents.OfType<DataContent>().Select(Attachment).ToList();
        var lastTrack = useLastTrack
            ? Decode(lastAudio ?? throw AssistantException.InvalidRequest("use-last-track is set but no assistant message holds audio"))
            : null;
        return new MappedTurn(history, lastTrack, new TurnRequest { Text = text, Attachments = attachments, UseLastTrack = useLastTrack, Options = options });
    }

    private static TurnAttachment Attachment(DataContent d)
    {
        if (d.Uri is { } uri && !uri.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            throw AssistantException.Unsupported($"a {d.MediaType} attachment by reference ({uri}): send its bytes (the assistant fetches nothing)");
        return TurnAttachment.FromBytes(d.Data, d.MediaType, d.Name);
    }

    // the track the assistant sent before, back to samples (our WAV reader; other formats through ffmpeg)
    private static AudioBuffer Decode(DataContent audio)
    {
        var temp = Path.Combine(Path.GetTempPath(), $"mga-last-track-{Guid.NewGuid():N}.wav");
        try
        {
            File.WriteAllBytes(temp, audio.Data.ToArray());
            return AssistantException.Guard(() => AudioDecoder.Decode(temp));
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
