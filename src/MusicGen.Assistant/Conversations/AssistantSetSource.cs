using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Conversations;

/// <summary>
/// What a user names as the assistant (an m2ugen manifest, its folder), or nothing: then the embedded UNTRAINED demo
/// assistant, built into the cache on first use (stages "create ...").
/// </summary>
public static class AssistantSetSource
{
    public static ResolvedModelSet Resolve(string? model, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (model is null)
        {
            var (manifest, created) = DemoAssistantSet.Ensure(progress, cancellation);
            return new ResolvedModelSet(manifest, created);
        }
        var resolved = ModelSetSource.Resolve(model, progress, cancellation);
        if (resolved.Manifest.Assistant is null)
            throw AssistantException.ModelSet($"'{model}' is a MusicGen set without the assistant's parts (kind {resolved.Manifest.Kind}); chat and ask need an M2UGen set: convert an M2UGen checkpoint with `mga convert checkpoint.pth FOLDER`, or leave --model out for the untrained demo assistant");
        return resolved;
    }
}
