namespace MusicGen.Assistant.Demo;

/// <summary>
/// The demo's input signal: a sustained A-major chord, a 1 kHz tone pulsing twice a second and a slow 100 Hz to 8 kHz
/// logarithmic sweep, with short fades; peak below 0.8. Deterministic, so every demo run encodes the same audio.
/// </summary>
public static class TestToneMix
{
    public static float[] Create(int sampleRate, double seconds)
    {
        var n = (int)Math.Round(seconds * sampleRate);
        var signal = new float[n];
        double[] chord = [220.0, 277.18, 329.63];
        const double sweepStart = 100, sweepEnd = 8000;
        var sweepRate = Math.Log(sweepEnd / sweepStart) / seconds;
        var fade = 0.05 * sampleRate;
        for (var i = 0; i < n; i++)
        {
            var t = (double)i / sampleRate;
            var x = chord.Sum(f => 0.15 * Math.Sin(2 * Math.PI * f * t));
            var pulse = (t * 2 % 1) < 0.25 ? 1.0 : 0.0;
            x += 0.12 * pulse * Math.Sin(2 * Math.PI * 1000 * t);
            // phase of a log sweep: integral of f0·e^(k t) dt
            x += 0.1 * Math.Sin(2 * Math.PI * sweepStart * (Math.Exp(sweepRate * t) - 1) / sweepRate);
            var gain = Math.Min(1, Math.Min(i / fade, (n - 1 - i) / fade));
            signal[i] = (float)(x * gain);
        }
        return signal;
    }
}
