using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Demo;

/// <summary>
/// The files of the codec round trip (<c>mga demo</c>) in one folder: the synthesized input, its codes and the
/// decoded audio. The round trip itself is an <see cref="Codec.EncodeJob"/> and a <see cref="Codec.DecodeJob"/>.
/// </summary>
public sealed record DemoFiles(string Folder, string InputWav, string Codes, string DecodedWav)
{
    /// <summary>The demo's files in <paramref name="folder"/> (created if missing).</summary>
    public static DemoFiles In(string folder) => AssistantException.Guard(() =>
    {
        var full = Path.GetFullPath(folder);
        string File(string name) => OutputFiles.Require(Path.Combine(full, name), "demo output");
        return new DemoFiles(full, File("demo-input.wav"), File("demo.codes"), File("demo-decoded.wav"));
    });

    /// <summary>Writes <see cref="TestToneMix"/> at the codec's rate, on every channel it takes, to <see cref="InputWav"/>.</summary>
    public void WriteTestSignal(EncodecConfig codec, double seconds) => AssistantException.Guard(() =>
    {
        var tone = TestToneMix.Create(codec.SamplingRate, seconds);
        WavWriter.Write(InputWav, new AudioBuffer(codec.SamplingRate, Enumerable.Repeat(tone, codec.AudioChannels).ToArray()));
    });
}
