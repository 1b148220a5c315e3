using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Media;

public sealed class PeakLevelTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static AudioBuffer Loud() => new(32000, [[0.1f, -2f, 0.5f], [0.25f, 1.5f, -0.75f]]);

    [Fact]
    public void The_peak_is_the_largest_absolute_sample_of_every_channel()
    {
        var level = PeakLevel.Of(Loud(), fileKeepsOverFullScale: false);
        Assert.Equal(2f, level.Peak);
        Assert.Equal(20 * Math.Log10(2), level.Dbfs, 9);
        Assert.True(level.Clipped);
        Assert.Equal("2.000 of full scale (+6.0 dBFS) (above full scale: clipped in the file; fix)", level.Describe("fix"));
        Assert.Equal("0.500 of full scale (-6.0 dBFS)", new PeakLevel(0.5f, false).Describe());
        Assert.False(new PeakLevel(2f, true).Clipped);
    }

    [Fact]
    public void A_written_track_reports_what_its_file_did_with_samples_above_full_scale()
    {
        var f32 = TrackWriter.Write(_dir.File("f.wav"), Loud(), AudioFileFormat.Wav, WavSampleFormat.Float32, null, CancellationToken.None);
        var pcm = TrackWriter.Write(_dir.File("p.wav"), Loud(), AudioFileFormat.Wav, WavSampleFormat.Pcm16, null, CancellationToken.None);
        Assert.Equal((2f, false), (f32.Peak.Peak, f32.Peak.Clipped));
        Assert.Equal((2f, true), (pcm.Peak.Peak, pcm.Peak.Clipped));
        Assert.Equal(-2f, WavReader.Read(_dir.File("f.wav")).Channels[0][1]); // kept
        Assert.Equal(-1f, WavReader.Read(_dir.File("p.wav")).Channels[0][1]); // clipped, as reported

        // normalized: the level reported is the level written
        var quiet = TrackWriter.Write(_dir.File("n.wav"), new AudioBuffer(32000, [Enumerable.Range(0, 32000).Select(i => (float)(3 * Math.Sin(i * 0.05))).ToArray()]),
            AudioFileFormat.Wav, WavSampleFormat.Pcm16, -14, CancellationToken.None);
        Assert.False(quiet.Peak.AboveFullScale);
        Assert.Equal(WavReader.Read(_dir.File("n.wav")).Channels[0].Max(Math.Abs), quiet.Peak.Peak, 1e-4);
    }
}
