using MusicGen.Assistant.Files;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Codec;

/// <summary>The EnCodec of a GGUF file loaded onto the session's backend; disposing frees both.</summary>
internal sealed class LoadedCodec : IDisposable
{
    private LoadedCodec(string path, ComputeBackend backend, EncodecCodec codec)
    {
        Path = path;
        Backend = backend;
        Codec = codec;
    }

    public string Path { get; }
    public ComputeBackend Backend { get; }
    public EncodecCodec Codec { get; }
    public EncodecConfig Config => Codec.Config;

    public static LoadedCodec Load(CliSession session, string modelPath)
    {
        var path = InputFiles.Require(modelPath, "model");
        var backend = session.CreateBackend();
        try { return new LoadedCodec(path, backend, EncodecCodec.Load(path, backend)); }
        catch { backend.Dispose(); throw; }
    }

    public void Dispose()
    {
        Codec.Dispose();
        Backend.Dispose();
    }
}
