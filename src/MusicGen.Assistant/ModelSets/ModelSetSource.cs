using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.ModelSets;

/// <summary>A model set's manifest, and how long building it took when it is the demo set built just now.</summary>
public sealed record ResolvedModelSet(ModelSetManifest Manifest, TimeSpan? Created)
{
    /// <summary>The UNTRAINED demo set: its output must be labelled as such wherever it appears.</summary>
    public bool IsDemo => Manifest.Demo;
}

/// <summary>
/// What a user names as "the model" (a musicgen.modelset.json, the folder holding one, a converted .gguf), or nothing:
/// then the UNTRAINED demo set, built into the cache on first use (stages "create ...").
/// </summary>
public static class ModelSetSource
{
    public static ResolvedModelSet Resolve(string? model, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default)
    {
        if (model is null)
        {
            var (manifest, created) = DemoModelSet.Ensure(progress, cancellation);
            return new ResolvedModelSet(manifest, created);
        }
        try { return new ResolvedModelSet(ModelSetLocator.Resolve(model), null); }
        catch (Exception e) when (e is IOException or ModelConfigException or UnauthorizedAccessException)
        {
            throw AssistantException.ModelSet(e.Message, e);
        }
    }
}
