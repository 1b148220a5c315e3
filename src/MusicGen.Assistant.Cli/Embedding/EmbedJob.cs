using System.Diagnostics;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Cli.Embedding;

/// <summary>What <c>mga embed</c> was asked to do.</summary>
internal sealed record EmbedRequest(M2UGenModality Modality, string MediaPath, string ModelPath, string? AdaptersPath, string? OutputPath,
    string? PreprocessorConfig);

/// <summary>
/// One media file through M2UGen's perception path: decode → encoder (MERT / ViT / ViViT) → the modality's adapter
/// (when an adapters GGUF is given) → summary and, when asked, the token (or the encoder feature) in a file.
/// </summary>
internal static class EmbedJob
{
    public static int Run(CliSession session, EmbedRequest request)
    {
        var total = Stopwatch.StartNew();
        using var backend = session.CreateBackend();
        // the adapters load first so that a file without this modality fails before the encoder runs
        using var adapters = request.AdaptersPath is null ? null : M2UGenAdapters.Load(request.AdaptersPath, backend, [request.Modality]);
        var encoded = request.Modality == M2UGenModality.Music
            ? MusicEncoding.Run(session, backend, request.MediaPath, request.ModelPath)
            : VisionEncoding.Run(session, backend, request.Modality, request.MediaPath, request.ModelPath, request.PreprocessorConfig);

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
                throw new CliException($"the {request.Modality.Name()} adapter in '{request.AdaptersPath}' does not fit the encoder '{request.ModelPath}': {e.Message}");
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
        if (request.OutputPath is { } output)
            EmbeddingFile.Write(output, arrays, new Dictionary<string, string>
            {
                ["modality"] = request.Modality.Name(),
                ["source"] = Path.GetFileName(request.MediaPath),
                ["encoder"] = Path.GetFileName(request.ModelPath),
                ["adapters"] = request.AdaptersPath is null ? "" : Path.GetFileName(request.AdaptersPath),
            });

        var console = session.Console;
        console.Line($"Embedded '{request.MediaPath}' ({request.Modality.Name()})");
        console.Field("input", encoded.Input);
        console.Field("encoder", encoded.Encoder);
        FeatureSummary.Write(console, "features", encoded.Values, encoded.Shape);
        if (adapted is not null)
        {
            FeatureSummary.Write(console, "aggregated", adapted.Aggregated, [1, adapted.InWidth]);
            FeatureSummary.Write(console, "token", adapted.Token, [1, adapted.Dim]);
        }
        else console.Field("token", "not computed (give --adapters adapters.gguf for the adapter token)");
        console.Field("time", $"decode {Units.Duration(encoded.DecodeTime)}, encode {Units.Duration(encoded.EncodeTime)}" +
                              (adapted is null ? "" : $", adapter {Units.Duration(adapterTime)}") + $", total {Units.Duration(total.Elapsed)}");
        if (request.Modality == M2UGenModality.Music && encoded.MediaSeconds is { } seconds)
            console.Field("speed", $"encoder {Units.RealTimeFactor(encoded.EncodeTime, seconds)}");
        if (request.OutputPath is { } written)
            console.Field("wrote", Path.GetExtension(written).Equals(".npy", StringComparison.OrdinalIgnoreCase)
                ? $"'{written}': {arrays[0].Name} [{string.Join(", ", arrays[0].Shape)}] float32"
                : $"'{written}': {string.Join(", ", arrays.Select(a => $"{a.Name} [{string.Join(", ", a.Shape)}]"))} float32");
        return ExitCodes.Success;
    }
}
