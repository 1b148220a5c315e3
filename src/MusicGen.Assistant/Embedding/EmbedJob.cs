using System.Diagnostics;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Progress;

namespace MusicGen.Assistant.Embedding;

/// <summary>What <c>mga embed</c> is asked to do: a media file, its encoder, optionally the adapters and an output file.</summary>
public sealed record EmbedRequest(M2UGenModality Modality, string MediaPath, string ModelPath, string? AdaptersPath = null, string? OutputPath = null,
    string? PreprocessorConfig = null);

/// <summary>
/// What an embed made: the encoder's features, the adapter's result (with adapters) and the arrays written, in the
/// order they are written (token and aggregated first when there is an adapter, then the features).
/// </summary>
public sealed record EmbedResult(EmbedRequest Request, EncodedMedia Encoded, AdapterResult? Adapted, TimeSpan AdapterTime, TimeSpan TotalTime,
    IReadOnlyList<(string Name, float[] Values, int[] Shape)> Arrays);

/// <summary>
/// One media file through M2UGen's perception path: decode → encoder (MERT / ViT / ViViT) → the modality's adapter
/// (when an adapters GGUF is given) → the token (or the encoder feature) in a .npy or .safetensors file when asked.
/// </summary>
public sealed class EmbedJob
{
    private EmbedJob(EmbedRequest request) => Request = request;

    /// <summary>The request with every path made full and checked.</summary>
    public EmbedRequest Request { get; }

    public static EmbedJob Create(EmbedRequest r) => AssistantException.Guard(() =>
    {
        if (r.PreprocessorConfig is not null && r.Modality == M2UGenModality.Music)
            throw AssistantException.InvalidRequest("--preprocessor applies to images and video; the music encoder's settings are in its GGUF");
        var inputs = new List<NamedInput> { new("input file", InputFiles.Require(r.MediaPath, "input file")), new("encoder model", InputFiles.Require(r.ModelPath, "encoder model")) };
        if (r.AdaptersPath is { } a) inputs.Add(new("adapters file", InputFiles.Require(a, "adapters file")));
        if (r.PreprocessorConfig is { } p) inputs.Add(new("preprocessor config", InputFiles.Require(p, "preprocessor config")));
        if (r.OutputPath is { } named && Path.GetExtension(named).ToLowerInvariant() is not (".npy" or ".safetensors"))
            throw AssistantException.Unsupported($"output '{named}': use a .npy or .safetensors file name");
        var output = r.OutputPath is { } o ? OutputFiles.Require(o, "output file", inputs) : null;
        if (output is not null) OutputFiles.CheckWritable(output, r.OutputPath!, "output file");
        var request = new EmbedRequest(r.Modality, inputs[0].Path, inputs[1].Path, r.AdaptersPath is null ? null : inputs[2].Path, output,
            r.PreprocessorConfig is null ? null : inputs[^1].Path);
        return new EmbedJob(request);
    });

    /// <summary>Runs the encoder (stage "encode" for music) and the adapter on a backend of its own.</summary>
    public EmbedResult Run(ComputeOptions compute, IProgress<JobProgress>? progress = null, CancellationToken cancellation = default) =>
        AssistantException.Guard(() => RunChecked(compute, progress, cancellation));

    private EmbedResult RunChecked(ComputeOptions compute, IProgress<JobProgress>? progress, CancellationToken cancellation)
    {
        var request = Request;
        var total = Stopwatch.StartNew();
        using var backend = compute.CreateBackend();
        // the adapters load first so that a file without this modality fails before the encoder runs
        using var adapters = request.AdaptersPath is null ? null : M2UGenAdapters.Load(request.AdaptersPath, backend, [request.Modality]);
        var encoded = request.Modality == M2UGenModality.Music
            ? MusicEncoding.Run(backend, request.MediaPath, request.ModelPath, progress, cancellation)
            : VisionEncoding.Run(backend, request.Modality, request.MediaPath, request.ModelPath, request.PreprocessorConfig, cancellation);
        cancellation.ThrowIfCancellationRequested();

        AdapterResult? adapted = null;
        var adapterClock = Stopwatch.StartNew();
        if (adapters is not null)
        {
            var adapter = adapters[request.Modality];
            try
            {
                adapted = encoded.TimeAveraged ? adapter.EmbedTimeMeans(encoded.Values) : adapter.Embed(encoded.Values, encoded.Shape);
            }
            catch (ArgumentException e)
            {
                throw AssistantException.ModelSet($"the {request.Modality.Name()} adapter in '{request.AdaptersPath}' does not fit the encoder '{request.ModelPath}': {e.Message}", e);
            }
        }
        var adapterTime = adapterClock.Elapsed;

        var arrays = new List<(string Name, float[] Values, int[] Shape)>();
        if (adapted is not null)
        {
            arrays.Add(("token", adapted.Token, [1, adapted.Dim]));
            arrays.Add(("aggregated", adapted.Aggregated, [1, adapted.InWidth]));
        }
        arrays.Add(("features", encoded.Values, encoded.Shape));
        cancellation.ThrowIfCancellationRequested();
        if (request.OutputPath is { } output)
            EmbeddingFile.Write(output, arrays, new Dictionary<string, string>
            {
                ["modality"] = request.Modality.Name(),
                ["source"] = Path.GetFileName(request.MediaPath),
                ["encoder"] = Path.GetFileName(request.ModelPath),
                ["adapters"] = request.AdaptersPath is null ? "" : Path.GetFileName(request.AdaptersPath),
            });
        return new EmbedResult(request, encoded, adapted, adapterTime, total.Elapsed, arrays);
    }
}
