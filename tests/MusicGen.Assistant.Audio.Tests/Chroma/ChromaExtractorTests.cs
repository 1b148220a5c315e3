using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Audio.Resampling;

namespace MusicGen.Assistant.Audio.Tests.Chroma;

/// <summary>The extractor at the real MusicGen-Melody settings (32 kHz, n_fft 16384, hop 4096) on known signals.</summary>
public class ChromaExtractorTests
{
    private const int Rate = 32000;
    private static readonly ChromaExtractor Extractor = new();

    [Theory]
    [InlineData(261.63, 0)] // C4
    [InlineData(329.63, 4)] // E4
    [InlineData(392.00, 7)] // G4
    [InlineData(440.00, 9)] // A4
    [InlineData(493.88, 11)] // B4
    [InlineData(880.00, 9)] // A5: octave-blind
    public void A_pure_tone_gives_its_pitch_class_in_every_frame(double hz, int pitchClass)
    {
        var features = Extractor.Extract(Signals.Sine(hz, Rate, Rate), Rate);
        Assert.Equal(1 + Rate / 4096, features.FrameCount);
        Assert.All(features.Bins, b => Assert.Equal(pitchClass, b));
    }

    [Fact]
    public void Silence_gives_the_null_melody()
    {
        var features = Extractor.Extract(new float[Rate], Rate);
        Assert.Equal(ChromaFeatures.Null(features.FrameCount).OneHot.ToArray(), features.OneHot.ToArray());
    }

    [Theory]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(16000)]
    public void Another_sample_rate_is_resampled_first(int rate)
    {
        var features = Extractor.Extract(Signals.Sine(440, rate, rate), rate);
        Assert.Equal(Extractor.FrameCount(Resampler.OutputLength(rate, rate, Rate)), features.FrameCount);
        Assert.All(features.Bins, b => Assert.Equal(9, b));
    }

    [Fact]
    public void Stereo_is_averaged_to_mono()
    {
        float[] a4 = Signals.Sine(440, Rate, Rate);
        float[] inverted = a4.Select(x => -x).ToArray();
        Assert.Equal(Extractor.Extract(a4, Rate).Bins, Extractor.Extract(new AudioBuffer(Rate, [a4, a4])).Bins);
        // Opposite channels cancel: the mix is silent, so every frame falls to bin 0.
        Assert.All(Extractor.Extract(new AudioBuffer(Rate, [a4, inverted])).Bins, b => Assert.Equal(0, b));
        Assert.All(Extractor.Extract(new AudioBuffer(Rate, [inverted])).Bins, b => Assert.Equal(9, b));
    }

    [Fact]
    public void Input_longer_than_chunk_length_is_truncated()
    {
        // chunk_length 2 s keeps the test fast; the cut is the same code at 30 s.
        var extractor = new ChromaExtractor(ChromaConfig.Default with { ChunkLength = 2 });
        float[] melody = Melody(3 * Rate, Rate);
        var all = extractor.Analyze(melody, Rate);
        var cut = extractor.Analyze(melody.AsSpan(0, 2 * Rate), Rate);
        Assert.Equal(1 + 2 * Rate / 4096, all.FrameCount);
        Assert.Equal(cut.PowerSpectrogram, all.PowerSpectrogram);
        Assert.Equal(cut.Features.Bins, all.Features.Bins);
        // At the real settings 30 s and anything longer give MusicGen-Melody's chroma_length.
        Assert.Equal(235, Extractor.FrameCount(30 * Rate));
        Assert.Equal(235, Extractor.FrameCount(1_000_000_000));
    }

    [Fact]
    public void Resampling_only_the_kept_part_gives_the_same_samples_as_resampling_everything()
    {
        const int rate = 48000;
        var extractor = new ChromaExtractor(ChromaConfig.Default with { ChunkLength = 2 });
        float[] melody = Melody(4 * rate, rate);
        float[] whole = Resampler.Resample(melody, rate, Rate);
        var expected = extractor.Analyze(whole.AsSpan(0, 2 * Rate), Rate);
        var actual = extractor.Analyze(melody, rate);
        Assert.Equal(expected.PowerSpectrogram, actual.PowerSpectrogram);
    }

    [Fact]
    public void Normalised_chroma_peaks_at_one_on_the_one_hot_bin()
    {
        float[] x = Melody(2 * Rate, Rate);
        Array.Clear(x, Rate, Rate); // second half silent
        var analysis = Extractor.Analyze(x, Rate);
        for (int t = 0; t < analysis.FrameCount; t++)
        {
            var row = analysis.NormalizedChroma.AsSpan(t * 12, 12).ToArray();
            int bin = analysis.Features.Bins[t];
            Assert.Equal(row.Max(), row[bin]);
            Assert.Equal(Array.IndexOf(row, row.Max()), bin);
            Assert.True(row[bin] == 1f || row.All(v => v < 1e-3f), $"frame {t}: max {row[bin]}");
        }
        Assert.Equal(0, analysis.Features.Bins[^1]); // the last frame is all silence
    }

    [Fact]
    public void A_batch_is_padded_to_its_longest_waveform()
    {
        float[] longer = Melody(Rate, Rate), shorter = Signals.Sine(392, Rate, Rate / 2);
        var batch = Extractor.ExtractBatch([longer, shorter], Rate);
        var zeroPadded = new float[Rate];
        shorter.CopyTo(zeroPadded, 0);
        Assert.Equal(Extractor.Extract(longer, Rate).Bins, batch[0].Bins);
        Assert.Equal(Extractor.Extract(zeroPadded, Rate).Bins, batch[1].Bins);

        var left = new ChromaExtractor(ChromaConfig.Default with { PadLeft = true, PaddingValue = 0.25f });
        var leftPadded = Enumerable.Repeat(0.25f, Rate / 2).Concat(shorter).ToArray();
        Assert.Equal(left.Analyze(leftPadded, Rate).PowerSpectrogram,
            left.AnalyzeBatch([longer, shorter], Rate)[1].PowerSpectrogram);
    }

    [Fact]
    public void A_waveform_shorter_than_n_fft_is_centred_in_zeros()
    {
        float[] x = Melody(5001, Rate);
        var padded = new float[16384];
        x.CopyTo(padded, (16384 - 5001) / 2); // 5691 zeros before, 5692 after
        Assert.Equal(Extractor.Analyze(padded, Rate).PowerSpectrogram, Extractor.Analyze(x, Rate).PowerSpectrogram);
        Assert.Equal(5, Extractor.Extract([0.5f], Rate).FrameCount);
    }

    [Fact]
    public void Empty_and_non_finite_input_is_refused_with_the_reason()
    {
        var empty = Assert.Throws<ArgumentException>(() => Extractor.Extract([], Rate));
        Assert.Contains("empty", empty.Message);

        float[] x = new float[100];
        x[37] = float.NaN;
        var nan = Assert.Throws<ArgumentException>(() => Extractor.Extract(x, Rate));
        Assert.Contains("index 37", nan.Message);
        Assert.Contains("NaN", nan.Message);

        x[37] = float.NegativeInfinity;
        Assert.Contains("index 37", Assert.Throws<ArgumentException>(() => Extractor.Extract(x, 44100)).Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => Extractor.Extract(new float[10], 0));
        Assert.Throws<ArgumentException>(() => Extractor.ExtractBatch([], Rate));
        var item = Assert.Throws<ArgumentException>(() => Extractor.ExtractBatch([new float[10], x], Rate));
        Assert.Contains("batch waveform 1", item.Message);
        // One sample at 96 kHz rounds to no sample at 32 kHz.
        Assert.Contains("no sample", Assert.Throws<ArgumentException>(() => Extractor.Extract([0.1f], 96000)).Message);
    }

    [Fact]
    public void The_fixture_settings_load_from_a_preprocessor_config_file()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("preprocessor_config.json", System.Text.Encoding.UTF8.GetBytes(
            """{"feature_size": 12, "sampling_rate": 16000, "n_fft": 4096, "hop_length": 1024, "chunk_length": 10}"""));
        var extractor = ChromaExtractor.FromPreprocessorConfig(path);
        Assert.Equal(2049, extractor.FilterBank.FrequencyBins);
        var features = extractor.Extract(Signals.Sine(440, 16000, 11 * 16000), 16000);
        Assert.Equal(1 + 160000 / 1024, features.FrameCount);
        Assert.All(features.Bins, b => Assert.Equal(9, b));
    }

    // A few seconds of changing harmonic tones, deterministic.
    private static float[] Melody(int length, int rate)
    {
        double[] notes = [261.63, 329.63, 392.0, 440.0, 349.23];
        var x = new float[length];
        int noteLength = rate / 3;
        for (int i = 0; i < length; i++)
        {
            double f = notes[i / noteLength % notes.Length];
            double t = (double)i / rate;
            x[i] = (float)(0.4 * Math.Sin(2 * Math.PI * f * t) + 0.2 * Math.Sin(4 * Math.PI * f * t));
        }
        return x;
    }
}
