namespace MusicGen.Assistant.Training.Procedural;

/// <summary>
/// The four instrument families by simple synthesis, each adding one note into a mix buffer: plucked
/// (Karplus-Strong with fractional-delay tuning), bowed (band-limited sawtooth, slow attack, vibrato), blown (odd-heavy
/// harmonics with breath noise) and struck (inharmonic partials of a bar, each decaying at its own rate).
/// </summary>
public static class Synthesizer
{
    public static double Frequency(int midiPitch) => 440.0 * Math.Pow(2, (midiPitch - 69) / 12.0);

    /// <summary>Seconds a note of this timbre keeps sounding after its written end.</summary>
    public static double Release(Timbre t) => t switch { Timbre.Plucked => 0.4, Timbre.Struck => 0.5, Timbre.Bowed => 0.15, _ => 0.1 };

    public static void AddNote(Timbre timbre, Note note, float gain, float[] mix, int sampleRate, SeededRandom noise)
    {
        var start = (int)Math.Round(note.Start * sampleRate);
        var length = (int)Math.Round((note.Duration + Release(timbre)) * sampleRate);
        length = Math.Min(length, mix.Length - start);
        if (start < 0 || length <= 0) return;
        var f = Frequency(note.Pitch);
        var amp = gain * note.Velocity;
        var span = mix.AsSpan(start, length);
        switch (timbre)
        {
            case Timbre.Plucked: Pluck(span, f, amp, sampleRate, noise); break;
            case Timbre.Bowed: Bow(span, f, amp, note.Duration, sampleRate); break;
            case Timbre.Blown: Blow(span, f, amp, note.Duration, sampleRate, noise); break;
            default: Strike(span, f, amp, sampleRate); break;
        }
    }

    private static void Pluck(Span<float> output, double f, float amp, int sr, SeededRandom noise)
    {
        // loop delay = L + 1/2 (two-point average) + allpass delay ≈ sr/f
        var period = sr / f;
        var length = (int)Math.Floor(period - 0.5);
        var frac = period - 0.5 - length;
        if (frac < 0.1 && length > 2) { length--; frac += 1; }
        length = Math.Max(2, length);
        var c = (1 - frac) / (1 + frac);
        var line = new double[length];
        for (var i = 0; i < length; i++) line[i] = noise.Uniform(-1, 1);
        double previous = 0, previousAverage = 0, previousAllpass = 0;
        var decay = 0.996 - Math.Min(0.01, f / 200000); // high strings die faster
        for (int n = 0, idx = 0; n < output.Length; n++)
        {
            var v = line[idx];
            var average = 0.5 * (v + previous) * decay;
            var allpass = c * (average - previousAllpass) + previousAverage;
            previousAverage = average;
            previousAllpass = allpass;
            previous = v;
            line[idx] = allpass;
            if (++idx == length) idx = 0;
            output[n] += (float)(amp * 0.7 * v);
        }
    }

    private static void Bow(Span<float> output, double f, float amp, double held, int sr)
    {
        var harmonics = Math.Max(1, Math.Min(24, (int)(0.45 * sr / f)));
        double phase = 0;
        for (var n = 0; n < output.Length; n++)
        {
            var t = (double)n / sr;
            var vibrato = t > 0.15 ? 1 + 0.004 * Math.Sin(2 * Math.PI * 5.5 * t) : 1;
            phase += 2 * Math.PI * f * vibrato / sr;
            double s = 0;
            for (var k = 1; k <= harmonics; k++) s += Math.Sin(k * phase) / k;
            output[n] += (float)(amp * 0.45 * s * Envelope(t, held, 0.12, 0.15));
        }
    }

    private static readonly double[] BlownHarmonics = [1, 0.15, 0.35, 0.05, 0.12];

    private static void Blow(Span<float> output, double f, float amp, double held, int sr, SeededRandom noise)
    {
        double phase = 0, breath = 0;
        for (var n = 0; n < output.Length; n++)
        {
            var t = (double)n / sr;
            phase += 2 * Math.PI * f / sr;
            double s = 0;
            for (var k = 1; k <= BlownHarmonics.Length && k * f < 0.45 * sr; k++) s += BlownHarmonics[k - 1] * Math.Sin(k * phase);
            breath = 0.9 * breath + 0.1 * noise.Uniform(-1, 1); // low-passed noise
            var tremolo = 1 + 0.03 * Math.Sin(2 * Math.PI * 4.5 * t);
            output[n] += (float)(amp * 0.6 * (s + 0.25 * breath) * tremolo * Envelope(t, held, 0.06, 0.1));
        }
    }

    private static readonly (double Ratio, double Gain, double Decay)[] BarPartials = [(1, 1, 0.6), (3.93, 0.35, 0.18), (9.66, 0.12, 0.06)];

    private static void Strike(Span<float> output, double f, float amp, int sr)
    {
        var shorten = 1 / (1 + f / 800);
        for (var n = 0; n < output.Length; n++)
        {
            var t = (double)n / sr;
            double s = 0;
            foreach (var (ratio, gain, decay) in BarPartials)
                if (ratio * f < 0.45 * sr) s += gain * Math.Exp(-t / (decay * shorten + 0.02)) * Math.Sin(2 * Math.PI * ratio * f * t);
            output[n] += (float)(amp * 0.8 * s * Math.Min(1, t / 0.002));
        }
    }

    /// <summary>Linear attack, sustain while held, linear release.</summary>
    private static double Envelope(double t, double held, double attack, double release) =>
        t < attack ? t / attack : t < held ? 1 : Math.Max(0, 1 - (t - held) / release);

    public static void AddDrum(DrumHit hit, float gain, float[] mix, int sr, SeededRandom noise)
    {
        var start = (int)Math.Round(hit.Start * sr);
        var seconds = hit.Drum switch { Drum.Kick => 0.4, Drum.Snare => 0.25, _ => 0.08 };
        var length = Math.Min((int)(seconds * sr), mix.Length - start);
        double phase = 0, last = 0;
        for (var n = 0; n < length; n++)
        {
            var t = (double)n / sr;
            double s;
            switch (hit.Drum)
            {
                case Drum.Kick:
                    phase += 2 * Math.PI * (50 + 100 * Math.Exp(-t / 0.04)) / sr;
                    s = Math.Sin(phase) * Math.Exp(-t / 0.15);
                    break;
                case Drum.Snare:
                    s = 0.6 * noise.Uniform(-1, 1) * Math.Exp(-t / 0.07) + 0.4 * Math.Sin(2 * Math.PI * 190 * t) * Math.Exp(-t / 0.05);
                    break;
                default:
                    var x = noise.Uniform(-1, 1);
                    s = (x - last) * 0.5 * Math.Exp(-t / 0.02); // differenced noise: a crude high-pass
                    last = x;
                    break;
            }
            mix[start + n] += (float)(gain * hit.Velocity * s);
        }
    }
}
