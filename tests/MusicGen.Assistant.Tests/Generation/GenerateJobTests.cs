using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Generation;

/// <summary>The generate job through the library API: typed errors before any model loads, no half-written file on cancel.</summary>
public sealed class GenerateJobTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static AssistantErrorKind KindOf(Action action) => Assert.Throws<AssistantException>(action).Kind;

    [Fact]
    public void Bad_requests_fail_at_creation_with_the_kind_a_front_end_maps()
    {
        Assert.Equal(AssistantErrorKind.InvalidRequest, KindOf(() => GenerateJob.Create(new GenerateRequest { Prompt = "  ", Output = _dir.File("a.wav") })));
        Assert.Equal(AssistantErrorKind.InvalidRequest, KindOf(() => GenerateJob.Create(new GenerateRequest { Output = _dir.File("a.wav") })));
        Assert.Equal(AssistantErrorKind.InvalidRequest, KindOf(() => GenerateJob.Create(new GenerateRequest { Prompt = "x", DurationSeconds = double.NaN, Output = _dir.File("a.wav") })));
        Assert.Equal(AssistantErrorKind.BadInput, KindOf(() => GenerateJob.Create(new GenerateRequest { Prompt = "x", Continue = _dir.File("none.wav"), Output = _dir.File("a.wav") })));
        Assert.Equal(AssistantErrorKind.Output, KindOf(() => GenerateJob.Create(new GenerateRequest { Prompt = "x", Output = _dir.Path })));
        Assert.Equal(AssistantErrorKind.InvalidRequest, KindOf(() => GenerateJob.Create(new GenerateRequest { Prompt = "x", Output = _dir.File("a.xyz") })));
        Assert.Empty(_dir.FileNames());
    }

    [Fact]
    public void A_cancelled_render_leaves_no_output_and_no_temporary_file()
    {
        var manifest = ModelSetSource.Resolve(FixtureModels.WriteTinyManifest(_dir.Path)).Manifest;
        using var set = MusicGenModelSet.Load(manifest, new ComputeOptions(BackendKind.Cpu, 1));
        var job = GenerateJob.Create(new GenerateRequest { Prompt = "x", DurationSeconds = 0.5, Output = _dir.File("out/a.wav"), Sampling = new(Seed: 1) });
        var setup = job.Prepare(set);
        using var cts = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => setup.Render(0, new ProgressRecorder(cts), cts.Token));
        Assert.Empty(Directory.GetFiles(_dir.File("out")));

        var written = setup.Render(0);
        Assert.Equal(_dir.File("out/a.wav"), written.Path);
        Assert.Equal(["a.wav"], Directory.GetFiles(_dir.File("out")).Select(Path.GetFileName));
    }
}
