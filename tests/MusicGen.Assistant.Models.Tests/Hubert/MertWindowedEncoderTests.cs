using MusicGen.Assistant.Models.Hubert;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Hubert;

/// <summary>
/// The whole-track music feature: window plan, equality with direct encodings (one window = the direct time mean;
/// several = the frame-weighted mean of the per-window means), streaming with bounded reads, downmix, and errors.
/// Runs on the hubert-tiny fixture model (24 kHz, 320 samples per frame).
/// </summary>
public sealed class MertWindowedEncoderTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
    private readonly HubertEncoder _encoder;

    /// <summary>The fixture encoder's sampling rate (its preprocessor_config.json's).</summary>
    private int Rate => _encoder.Preprocessing.SamplingRate;

    public MertWindowedEncoderTests() => _encoder = HubertEncoder.Load(HubertFixtures.Gguf(HubertFixtures.Tiny), _backend);

    public void Dispose()
    {
        _encoder.Dispose();
        _backend.Dispose();
    }

    [Fact]
    public void Windows_are_back_to_back_and_a_tail_too_short_for_a_frame_is_left_out()
    {
        Assert.Empty(MertWindowedEncoder.Windows(0, 100, 30));
        Assert.Empty(MertWindowedEncoder.Windows(29, 100, 30));
        Assert.Equal([(0L, 30)], MertWindowedEncoder.Windows(30, 100, 30));
        Assert.Equal([(0L, 100), (100L, 100), (200L, 50)], MertWindowedEncoder.Windows(250, 100, 30));
        Assert.Equal([(0L, 100), (100L, 100)], MertWindowedEncoder.Windows(229, 100, 30));
        Assert.Equal([(0L, 100), (100L, 100)], MertWindowedEncoder.Windows(200, 100, 30));
        // an hour at 24 kHz in 60 s windows
        var hour = MertWindowedEncoder.Windows(3600L * 24000, 60 * 24000, 400);
        Assert.Equal(60, hour.Count);
        Assert.Equal((59L * 60 * 24000, 60 * 24000), hour[^1]);
    }

    [Fact]
    public void The_default_window_is_60_seconds()
    {
        var windowed = new MertWindowedEncoder(_encoder);
        Assert.Equal(60, windowed.WindowSeconds);
        Assert.Equal(60 * Rate, windowed.WindowSamples);
    }

    [Fact]
    public void One_window_over_the_whole_signal_equals_the_direct_time_mean()
    {
        var signal = RandomHubertModels.Signal(30000, seed: 11);
        var feature = new MertWindowedEncoder(_encoder, windowSeconds: 30000 / (double)Rate).Encode(signal);
        var direct = _encoder.Encode(signal);
        Assert.Equal(1, feature.Windows);
        Assert.Equal(direct.Frames, feature.Frames);
        Assert.Equal((direct.Count, direct.HiddenSize), (feature.StateCount, feature.HiddenSize));
        AssertClose(direct.MeanOverTime(), feature.Values.ToArray(), 1e-5);
    }

    [Fact]
    public void Several_windows_equal_the_frame_weighted_mean_of_the_per_window_means()
    {
        // two whole windows and a part: 0.4 windows of signal after them
        var window = (int)Math.Round(0.5 * Rate);
        var signal = RandomHubertModels.Signal(2 * window + 2 * window / 5, seed: 12);
        var feature = new MertWindowedEncoder(_encoder, windowSeconds: 0.5).Encode(signal);
        Assert.Equal(3, feature.Windows);
        var expected = new double[feature.Values.Length];
        long frames = 0;
        foreach (var (start, length) in new[] { (0, window), (window, window), (2 * window, 2 * window / 5) })
        {
            var states = _encoder.Encode(signal.AsSpan(start, length));                       // each window normalized on its own
            var means = states.MeanOverTime();
            for (var i = 0; i < means.Length; i++) expected[i] += means[i] * (double)states.Frames;
            frames += states.Frames;
        }
        Assert.Equal(2 * _encoder.Config.FrameCount(window) + _encoder.Config.FrameCount(2 * window / 5), frames);
        Assert.Equal(frames, feature.Frames);
        AssertClose(expected.Select(x => (float)(x / frames)).ToArray(), feature.Values.ToArray(), 1e-5);
        // and it is not the same as encoding the first window only (what the original's loop does)
        var first = _encoder.Encode(signal.AsSpan(0, window)).MeanOverTime();
        Assert.True(first.Zip(feature.Values.ToArray(), (a, b) => Math.Abs(a - b)).Max() > 1e-3);
    }

    [Fact]
    public void The_fixture_waveform_gives_m2ugens_layer_means()
    {
        var set = FixtureSet.ByName("m2ugen-tiny");
        var vector = set.Vector("audio_layer_means");
        var feature = new MertWindowedEncoder(_encoder).Encode(HubertFixtures.Floats(set.Vector("audio_waveform")));
        ToleranceAssert.Matches(vector, feature.Values.ToArray().Select(x => (double)x).ToArray(), [1, feature.StateCount, feature.HiddenSize]);
    }

    [Fact]
    public void A_long_source_is_streamed_one_window_at_a_time()
    {
        // 30 s in 2 s windows (short windows keep the test quick on one thread; the reading pattern is the same for
        // 60 s windows over an hour): each read is at most one window, every sample is read exactly once, progress
        // reaches the end
        var source = new GeneratedSource(30 * Rate + 1000, channels: 1);
        var reports = new List<ChunkProgress>();
        var windowed = new MertWindowedEncoder(_encoder, windowSeconds: 2);
        var feature = windowed.Encode(source, new SynchronousProgress(reports));
        Assert.Equal(16, feature.Windows);
        Assert.Equal(15 * _encoder.Config.FrameCount(2 * Rate) + _encoder.Config.FrameCount(1000), feature.Frames);
        Assert.Equal(windowed.WindowSamples, source.LargestRead);
        Assert.Equal(source.Length, source.SamplesRead);
        Assert.Equal(16, reports.Count);
        Assert.Equal(source.Length, reports[^1].Done);
        Assert.All(feature.Values.ToArray(), x => Assert.True(float.IsFinite(x)));
    }

    [Fact]
    public void A_stereo_source_is_downmixed_by_the_channel_mean()
    {
        var left = RandomHubertModels.Signal(9000, seed: 13);
        var right = RandomHubertModels.Signal(9000, seed: 14);
        var windowed = new MertWindowedEncoder(_encoder, windowSeconds: 0.25);
        var stereo = windowed.Encode(new ArraySampleSource(left, right));
        var mono = windowed.Encode(left.Zip(right, (l, r) => (l + r) / 2).ToArray());
        AssertClose(mono.Values.ToArray(), stereo.Values.ToArray(), 1e-6);
    }

    [Fact]
    public void Too_short_sources_and_windows_are_refused()
    {
        var field = _encoder.Config.ReceptiveField;
        var e = Assert.Throws<ArgumentException>(() => new MertWindowedEncoder(_encoder).Encode(new float[field - 1]));
        Assert.Contains($"{field - 1} samples, fewer than the {field} samples one MERT frame needs", e.Message);
        var seconds = (field / 2) / (double)Rate; // half a frame's view
        var w = Assert.Throws<ArgumentOutOfRangeException>(() => new MertWindowedEncoder(_encoder, windowSeconds: seconds));
        Assert.Contains($"a window of {Math.Round(seconds * Rate)} samples at {Rate} Hz: it must hold {field}..", w.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MertWindowedEncoder(_encoder, windowSeconds: double.NaN));
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.InRange(worst, 0, tolerance);
    }

    /// <summary>A signal computed on demand (never held whole) that records how it is read.</summary>
    private sealed class GeneratedSource(long length, int channels) : ISampleSource
    {
        public int Channels => channels;
        public long Length => length;
        public int LargestRead { get; private set; }
        public long SamplesRead { get; private set; }

        public void Read(int channel, long start, Span<float> destination)
        {
            if (start < 0 || start + destination.Length > length) throw new ArgumentOutOfRangeException(nameof(start));
            LargestRead = Math.Max(LargestRead, destination.Length);
            SamplesRead += destination.Length;
            for (var i = 0; i < destination.Length; i++)
            {
                var t = (start + i) / 24000.0;
                destination[i] = (float)(0.4 * Math.Sin(2 * Math.PI * 220 * t) + 0.2 * Math.Sin(2 * Math.PI * 3.1 * t + channel));
            }
        }
    }

    private sealed class SynchronousProgress(List<ChunkProgress> reports) : IProgress<ChunkProgress>
    {
        public void Report(ChunkProgress value) => reports.Add(value);
    }
}
