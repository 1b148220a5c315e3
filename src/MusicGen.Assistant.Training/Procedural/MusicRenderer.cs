namespace MusicGen.Assistant.Training.Procedural;

/// <summary>
/// Renders a spec to mono audio at any rate: melody on the lead instrument, chords and bass on the accompaniment,
/// drums; peak-normalised to -1 dBFS with 5 ms fades. Same spec and rate give the same samples.
/// </summary>
public static class MusicRenderer
{
    public const float PeakLevel = 0.891f; // -1 dBFS

    public static float[] Render(MusicSpec spec, int sampleRate)
    {
        if (sampleRate is < 8000 or > 192000) throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "8000..192000 Hz");
        var (notes, hits) = Composer.Compose(spec.Validate());
        var mix = new float[(int)Math.Round(spec.Seconds * sampleRate)];
        var noise = SeededRandom.For(spec.Seed, "noise");
        foreach (var note in notes)
        {
            var (timbre, gain) = note.Part switch
            {
                Part.Melody => (spec.Lead, 0.5f),
                Part.Chords => (spec.Accompaniment, 0.22f),
                _ => (spec.Accompaniment == Timbre.Blown ? Timbre.Bowed : spec.Accompaniment, 0.35f),
            };
            Synthesizer.AddNote(timbre, note, gain, mix, sampleRate, noise);
        }
        foreach (var hit in hits) Synthesizer.AddDrum(hit, 0.5f, mix, sampleRate, noise);
        Normalize(mix, sampleRate);
        return mix;
    }

    private static void Normalize(float[] mix, int sampleRate)
    {
        var fade = Math.Min(mix.Length / 2, sampleRate / 200);
        for (var i = 0; i < fade; i++)
        {
            var g = (float)i / fade;
            mix[i] *= g;
            mix[^(i + 1)] *= g;
        }
        var peak = 0f;
        foreach (var v in mix) peak = Math.Max(peak, Math.Abs(v));
        if (peak <= 0) return;
        var scale = PeakLevel / peak;
        for (var i = 0; i < mix.Length; i++) mix[i] *= scale;
    }
}
