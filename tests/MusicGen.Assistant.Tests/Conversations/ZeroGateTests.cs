using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Conversations;

/// <summary>
/// A LLaMA whose music-layer gates are zero (as in the released M2UGen checkpoints, whose gates were never trained):
/// the turn says its audio attachment cannot change the reply, and indeed the reply's states equal those without it.
/// </summary>
public class ZeroGateTests
{
    [Fact]
    public async Task An_attachment_whose_gates_are_all_zero_is_reported_and_changes_nothing()
    {
        using var dir = new TempDirectory();
        var (demo, _) = DemoAssistantSet.Ensure();
        var plan = new DemoAssistantLlama(DemoLlamaTokenizer.Create(), DemoAssistantSet.Seed);
        var musicLayers = Enumerable.Range(plan.Injection.FirstLayer, plan.Injection.PrefixRows)
            .Where(l => plan.Injection.Contributors(l).Contains(Models.M2UGen.M2UGenModality.Music)).ToHashSet();
        var llama = dir.File("llama-zero-gates.gguf");
        GgufConverter.Write(new ZeroedGates(plan, musicLayers), llama, StorageType.F32, "test");
        var manifest = demo with { Assistant = demo.Assistant! with { LlamaPath = llama, LlamaTokenizerPath = llama } };
        using var set = AssistantModelSet.Load(manifest, new ComputeOptions());
        var conversation = new AssistantConversation(set, new ConversationOptions { Defaults = new TurnOptions { DurationSeconds = 0.1, Seed = 2 } });

        await conversation.AskAsync(new TurnRequest { Text = "hello" });
        var without = conversation.LastDiagnostics!.AudioHidden!;
        conversation.Reset();
        var events = new List<TurnEvent>();
        var audio = TurnAttachment.FromSamples([TestToneMix.Create(24000, 1)], 24000, "tone");
        await conversation.AskAsync(new TurnRequest { Text = "hello", Attachments = [audio] }, new SyncProgress<TurnEvent>(events.Add));

        var notice = Assert.Single(events.OfType<TurnNotice>(), n => n.Kind == NoticeKind.AttachmentIgnoredByModel);
        Assert.Contains("audio 'tone' cannot change the reply", notice.Message);
        Assert.Equal(without, conversation.LastDiagnostics!.AudioHidden!);
    }

    /// <summary>The plan with the adapter gates of some layers set to zero.</summary>
    private sealed class ZeroedGates(IConversionPlan inner, IReadOnlySet<int> layers) : IConversionPlan
    {
        public string Architecture => inner.Architecture;

        public IReadOnlyList<PlannedTensor> Tensors { get; } = inner.Tensors.Select(t =>
            layers.Any(l => t.Name == LlamaKeys.M2UGen.AdapterGate(l)) ? t with { Produce = () => new float[t.Ne[0]] } : t).ToList();

        public void WriteMetadata(GgufWriter writer) => inner.WriteMetadata(writer);
    }
}
