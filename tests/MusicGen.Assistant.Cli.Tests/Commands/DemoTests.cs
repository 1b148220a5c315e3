using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>The demo on the full-size random-weight EnCodec 32 kHz (created once in the project cache), 1 s of audio.</summary>
public class DemoTests
{
    [Fact]
    public void Demo_round_trips_the_test_signal_and_labels_the_model_untrained()
    {
        using var dir = new TempDirectory();
        var result = Mga.Run("demo", "--out", dir.Path, "--seconds", "1").Succeeded();

        Assert.Contains("UNTRAINED DEMO MODEL", result.Out);
        Assert.Contains("ggml        0.25.1", result.Out);
        Assert.Matches(@"round trip  encode \+ decode .* real-time factor [\d.]+", result.Out);
        Assert.Equal(["demo-decoded.wav", "demo-input.wav", "demo.codes"], dir.FileNames());
        var codes = AudioCodesFile.ReadHeader(dir.File("demo.codes"));
        Assert.Equal(new AudioCodesFormat(32000, 640, 2048, 4, 1), codes.Format); // 2.2 kbps: 4 of the 32 kHz model's codebooks
        Assert.Equal((32000L, 50L), (codes.SampleCount, codes.FrameCount));
        var decoded = TestAudio.Read(dir.File("demo-decoded.wav"));
        Assert.Equal((32000, 1, 32000), (decoded.SampleRate, decoded.ChannelCount, decoded.FrameCount));
        Assert.All(decoded.Channels[0], x => Assert.True(float.IsFinite(x)));
    }
}
