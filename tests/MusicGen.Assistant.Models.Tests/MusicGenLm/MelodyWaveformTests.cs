using MusicGen.Assistant.Audio.Chroma;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>audiocraft's per-window circular re-slicing of the reference melody, on hand-made waveforms.</summary>
public class MelodyWaveformTests
{
    [Fact]
    public void Circular_slices_wrap_around_the_waveform()
    {
        float[] wave = [1, 2, 3, 4, 5];
        Assert.Equal([4f, 5, 1, 2, 3, 4, 5], MelodyWaveform.CircularSlice(wave, 3, 7));
        Assert.Equal([3f, 4], MelodyWaveform.CircularSlice(wave, 12, 2));
        Assert.Equal([1f, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1], MelodyWaveform.CircularSlice(wave, 0, 11));
        Assert.Empty(MelodyWaveform.CircularSlice(wave, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => MelodyWaveform.CircularSlice(wave, -1, 2));
        Assert.Throws<ArgumentException>(() => MelodyWaveform.CircularSlice([], 0, 2));
    }

    [Fact]
    public void A_window_starting_later_hears_the_melody_from_there_and_then_its_start_again()
    {
        // 1 s of A4 then 1 s of C5: a 2 s window from 1 s hears C5 first, then (wrapping) A4
        const int rate = 32000;
        var wave = new float[2 * rate];
        for (var i = 0; i < wave.Length; i++)
            wave[i] = 0.5f * MathF.Sin(2 * MathF.PI * (i < rate ? 440f : 523.25f) * i / rate);
        var melody = new MelodyWaveform(wave, rate);
        var extractor = new ChromaExtractor();
        var window = melody.WindowChroma(extractor, 1.0, 2.0);
        Assert.Equal(16, window.FrameCount); // 1 + 64000 / 4096
        Assert.Equal(0, window.Bins[2]);     // frame centred at 0.256 s: all C5
        Assert.Equal(9, window.Bins[12]);    // frame centred at 1.536 s: all A4
        var whole = melody.Chroma(extractor);
        Assert.Equal(9, whole.Bins[2]);
        Assert.Equal(0, whole.Bins[12]);
    }

    [Fact]
    public void Bad_waveforms_and_windows_are_named()
    {
        Assert.Contains("no samples", Assert.Throws<ArgumentException>(() => new MelodyWaveform([], 32000)).Message);
        Assert.Contains("index 1", Assert.Throws<ArgumentException>(() => new MelodyWaveform([0f, float.NaN], 32000)).Message);
        var melody = new MelodyWaveform(new float[100], 32000);
        Assert.Throws<ArgumentOutOfRangeException>(() => melody.WindowChroma(new ChromaExtractor(), -1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => melody.WindowChroma(new ChromaExtractor(), 0, 0));
    }
}
