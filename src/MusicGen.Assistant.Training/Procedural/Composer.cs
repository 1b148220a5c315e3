namespace MusicGen.Assistant.Training.Procedural;

/// <summary>Which part of the arrangement a note belongs to.</summary>
public enum Part { Melody, Chords, Bass }

/// <summary>One note: start and length in seconds, MIDI pitch, loudness 0..1.</summary>
public readonly record struct Note(double Start, double Duration, int Pitch, float Velocity, Part Part);

public enum Drum { Kick, Snare, HiHat }

public readonly record struct DrumHit(double Start, Drum Drum, float Velocity);

/// <summary>
/// Writes the notes of a spec: one chord per bar from the progression (sustained, or arpeggiated when plucked or
/// struck), the chord root in the bass, a melody walking the scale that lands on chord tones on strong beats, and the
/// drum pattern. Deterministic in the spec's seed.
/// </summary>
public static class Composer
{
    public static (IReadOnlyList<Note> Notes, IReadOnlyList<DrumHit> Hits) Compose(MusicSpec spec)
    {
        var r = new SeededRandom(spec.Seed);
        var notes = new List<Note>();
        var hits = new List<DrumHit>();
        var beat = spec.BeatSeconds;
        var bar = beat * spec.Meter.Beats;
        var bars = (int)Math.Ceiling(spec.Seconds / bar);
        var melodyDegree = r.Next(0, 5) + 7; // start in the upper octave of the scale
        for (var b = 0; b < bars; b++)
        {
            var t0 = b * bar;
            var degree = spec.Progression[b % spec.Progression.Count];
            var triad = MusicalKey.Triad(degree);
            Chords(spec, notes, triad, t0, bar, beat);
            notes.Add(new Note(t0, bar * 0.95, spec.Key.Pitch(degree, 2), 0.7f, Part.Bass));
            if (spec.Meter.Beats >= 4) notes.Add(new Note(t0 + 2 * beat, 2 * beat * 0.9, spec.Key.Pitch(degree, 2), 0.55f, Part.Bass));
            melodyDegree = Melody(spec, r, notes, triad, melodyDegree, t0, beat);
            Drums(spec, hits, t0, beat);
        }
        return (notes.Where(n => n.Start < spec.Seconds).ToList(), hits.Where(h => h.Start < spec.Seconds).ToList());
    }

    private static void Chords(MusicSpec spec, List<Note> notes, int[] triad, double t0, double bar, double beat)
    {
        if (spec.Accompaniment is Timbre.Plucked or Timbre.Struck)
        {
            var step = beat / spec.Meter.Subdivision;
            var count = (int)Math.Round(bar / step);
            for (var i = 0; i < count; i++)
            {
                var d = triad[i % 3] + (i / 3 % 2 == 1 ? 7 : 0);
                notes.Add(new Note(t0 + i * step, step * 1.8, spec.Key.Pitch(d, 3), 0.4f, Part.Chords));
            }
        }
        else
            foreach (var d in triad)
                notes.Add(new Note(t0, bar * 0.98, spec.Key.Pitch(d, 3), 0.3f, Part.Chords));
    }

    private static int Melody(MusicSpec spec, SeededRandom r, List<Note> notes, int[] triad, int degree, double t0, double beat)
    {
        var chordTones = triad.SelectMany(d => new[] { d + 7, d + 14 }).ToArray();
        for (var k = 0; k < spec.Meter.Beats; k++)
        {
            var strong = k == 0 || (spec.Meter.Beats == 4 && k == 2);
            // a strong beat moves to the nearest chord tone; weak beats step or leap a little
            degree = strong ? chordTones.MinBy(c => Math.Abs(c - degree)) : Math.Clamp(degree + r.Pick([-2, -1, -1, 1, 1, 2, 0]), 5, 16);
            var rhythm = r.Next(0, 4);
            var start = t0 + k * beat;
            if (rhythm == 0 && k + 1 < spec.Meter.Beats)
            {
                notes.Add(new Note(start, 2 * beat * 0.9, spec.Key.Pitch(degree, 4), 0.8f, Part.Melody));
                k++;
            }
            else if (rhythm == 1)
            {
                var sub = beat / spec.Meter.Subdivision;
                for (var s = 0; s < spec.Meter.Subdivision; s++)
                {
                    notes.Add(new Note(start + s * sub, sub * 0.9, spec.Key.Pitch(degree, 4), s == 0 ? 0.8f : 0.65f, Part.Melody));
                    degree = Math.Clamp(degree + r.Pick([-1, 1]), 5, 16);
                }
            }
            else
                notes.Add(new Note(start, beat * 0.9, spec.Key.Pitch(degree, 4), strong ? 0.85f : 0.7f, Part.Melody));
        }
        return degree;
    }

    private static void Drums(MusicSpec spec, List<DrumHit> hits, double t0, double beat)
    {
        var beats = spec.Meter.Beats;
        var sub = spec.Meter.Subdivision;
        switch (spec.Drums)
        {
            case DrumStyle.None:
                return;
            case DrumStyle.Waltz:
                hits.Add(new(t0, Drum.Kick, 0.9f));
                for (var k = 1; k < beats; k++) hits.Add(new(t0 + k * beat, Drum.Snare, 0.45f));
                break;
            case DrumStyle.FourOnTheFloor:
                for (var k = 0; k < beats; k++) hits.Add(new(t0 + k * beat, Drum.Kick, 0.9f));
                for (var k = 0; k < beats; k++) hits.Add(new(t0 + (k + 0.5) * beat, Drum.HiHat, 0.5f));
                break;
            case DrumStyle.HalfTime:
                hits.Add(new(t0, Drum.Kick, 0.9f));
                hits.Add(new(t0 + beats / 2 * beat, Drum.Snare, 0.8f));
                break;
            default: // backbeat: kick on 1 (and 3), snare on 2 and 4
                for (var k = 0; k < beats; k++) hits.Add(new(t0 + k * beat, k % 2 == 0 ? Drum.Kick : Drum.Snare, k % 2 == 0 ? 0.9f : 0.8f));
                break;
        }
        for (var k = 0; k < beats * sub; k++) hits.Add(new(t0 + k * beat / sub, Drum.HiHat, k % sub == 0 ? 0.35f : 0.2f));
    }
}
