using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Codec;

/// <summary>
/// The EnCodec of a GGUF file loaded onto its own backend, ready for many encode and decode jobs. Thread safety: jobs
/// on one loaded codec run one at a time (each takes the codec's gate for its whole run; others wait). Disposing frees
/// the weights and the backend; do not dispose while a job runs.
/// </summary>
public sealed class CodecModel : IDisposable
{
    private readonly JobGate _gate = new();

    private CodecModel(string path, ComputeBackend backend, EncodecCodec codec)
    {
        Path = path;
        Backend = backend;
        Codec = codec;
    }

    public string Path { get; }
    public ComputeBackend Backend { get; }
    public EncodecCodec Codec { get; }
    public EncodecConfig Config => Codec.Config;

    public static CodecModel Load(string modelPath, ComputeOptions compute) => AssistantException.Guard(() =>
    {
        var path = InputFiles.Require(modelPath, "model");
        var backend = compute.CreateBackend();
        try { return new CodecModel(path, backend, EncodecCodec.Load(path, backend)); }
        catch { backend.Dispose(); throw; }
    });

    internal IDisposable EnterJob(CancellationToken cancellation) => _gate.Enter(cancellation);

    public void Dispose()
    {
        Codec.Dispose();
        Backend.Dispose();
        _gate.Dispose();
    }
}
