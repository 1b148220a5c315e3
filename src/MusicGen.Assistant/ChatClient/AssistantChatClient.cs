using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using MusicGen.Assistant.Conversations;

namespace MusicGen.Assistant.ChatClient;

/// <summary>
/// The assistant as a <c>Microsoft.Extensions.AI</c> chat client, so .NET code and Semantic Kernel
/// (<c>AsChatCompletionService()</c>) can use it as a chat model. Stateless like other chat clients: each call maps the
/// whole message list onto a conversation (<see cref="ChatMessageMapping"/>) whose last user message is the turn;
/// text and <see cref="DataContent"/> (audio/*, image/*, video/*) come in, text and the track as audio/wav
/// <see cref="DataContent"/> go out. Calls on one client may overlap; the loaded set's gate runs their turns one after
/// another. The response's <see cref="ChatResponse.AdditionalProperties"/> say "mga.untrained" for the demo set,
/// the seed, the stop reason, the track's file and the turn's notices.
/// </summary>
public sealed class AssistantChatClient(AssistantModelSet set, ConversationOptions? options = null) : IChatClient
{
    public const string UntrainedKey = "mga.untrained";
    public const string ModelSetKey = "mga.model_set";
    public const string SeedKey = "mga.seed";
    public const string StopReasonKey = "mga.stop_reason";
    public const string TrackPathKey = "mga.track_path";
    public const string DecodedTextKey = "mga.decoded_text";
    public const string NoticesKey = "mga.notices";

    private readonly ConversationOptions _options = options ?? new ConversationOptions();
    private readonly ChatClientMetadata _metadata = new("MusicGen.Assistant", null, set.Name);

    public AssistantModelSet Set { get; } = set;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var contents = new List<AIContent>();
        ChatResponseUpdate? last = null;
        await foreach (var update in GetStreamingResponseAsync(messages, options, cancellationToken))
        {
            // text deltas join into one text; the track and the usage are kept as they are
            foreach (var c in update.Contents)
                if (c is TextContent t && contents.Count > 0 && contents[^1] is TextContent previous) contents[^1] = new TextContent(previous.Text + t.Text);
                else if (c is not UsageContent) contents.Add(c);
            last = update;
        }
        var message = new ChatMessage(ChatRole.Assistant, contents) { MessageId = last?.MessageId };
        return new ChatResponse(message)
        {
            ResponseId = last?.ResponseId, ModelId = Set.Name, FinishReason = last?.FinishReason, CreatedAt = last?.CreatedAt,
            Usage = last?.Contents.OfType<UsageContent>().FirstOrDefault()?.Details, AdditionalProperties = last?.AdditionalProperties,
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var turn = ChatMessageMapping.Map(messages, Set, options.ToTurnOptions(_options.Defaults), options?.GetUseLastTrack() ?? false);
        // the track comes back as bytes; without a folder of the caller's it passes through a private one
        using var scratch = _options.TrackFolder is null ? new ScratchFolder() : null;
        var conversation = new AssistantConversation(Set, _options with { TrackFolder = _options.TrackFolder ?? scratch!.Path });
        conversation.Restore(turn.History, turn.LastTrack);
        var id = $"mga-{Guid.NewGuid():N}";
        var notices = new List<string>();
        await foreach (var e in conversation.SendAsync(turn.Request, cancellationToken))
        {
            switch (e)
            {
                case ReplyTextDelta text:
                    yield return Update(id, [new TextContent(text.Text)]);
                    break;
                case TurnNotice notice:
                    notices.Add($"{notice.Kind}: {notice.Message}");
                    break;
                case TrackRendered track:
                    var bytes = await File.ReadAllBytesAsync(track.Track.Path!, cancellationToken);
                    if (scratch is not null) File.Delete(track.Track.Path!);
                    yield return Update(id, [new DataContent(bytes, "audio/wav") { Name = Path.GetFileName(track.Track.Path) }]);
                    break;
                case TurnCompleted done:
                    var r = done.Reply;
                    var final = Update(id, [new UsageContent(new UsageDetails
                    {
                        InputTokenCount = r.PromptTokens, OutputTokenCount = r.TokenIds.Count, TotalTokenCount = r.PromptTokens + r.TokenIds.Count,
                    })]);
                    final.FinishReason = r.StopReason == "length" ? ChatFinishReason.Length : ChatFinishReason.Stop;
                    final.AdditionalProperties = new AdditionalPropertiesDictionary
                    {
                        [UntrainedKey] = r.Untrained, [ModelSetKey] = Set.Name, [SeedKey] = r.Seed, [StopReasonKey] = r.StopReason,
                        [DecodedTextKey] = r.DecodedText, [NoticesKey] = notices.ToArray(),
                    };
                    if (scratch is null && r.Track?.Path is { } path) final.AdditionalProperties[TrackPathKey] = path;
                    yield return final;
                    break;
            }
        }
    }

    private ChatResponseUpdate Update(string id, IList<AIContent> contents) => new(ChatRole.Assistant, contents)
    {
        ResponseId = id, MessageId = id, ModelId = Set.Name, CreatedAt = DateTimeOffset.UtcNow,
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is not null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType.IsInstanceOfType(Set) ? Set
        : null;

    /// <summary>The set stays the caller's: disposing the client does not dispose it.</summary>
    public void Dispose() { }

    private sealed class ScratchFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("mga-chat-").FullName;

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
