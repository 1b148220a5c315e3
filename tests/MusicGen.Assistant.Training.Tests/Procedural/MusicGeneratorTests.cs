using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.Tests.Procedural;

public class MusicGeneratorTests
{
    [Fact]
    public void Same_seed_same_samples_other_seed_other_samples()
    {
        var a = MusicSpecSampler.Sample(7, "x-1", 1.0);
        Assert.Equal(a, MusicSpecSampler.Sample(7, "x-1", 1.0) with { Progression = a.Progression });
        Assert.Equal(MusicRenderer.Render(a, 16000), MusicRenderer.Render(MusicSpecSampler.Sample(7, "x-1", 1.0), 16000));
        var b = MusicSpecSampler.Sample(8, "x-1", 1.0);
        Assert.NotEqual(MusicRenderer.Render(a, 16000), MusicRenderer.Render(b, 16000));
    }

    [Theory]
    [InlineData(Timbre.Plucked, 57)]
    [InlineData(Timbre.Bowed, 62)]
    [InlineData(Timbre.Blown, 69)]
    [InlineData(Timbre.Struck, 72)]
    public void Each_timbre_sounds_at_its_notes_pitch(Timbre timbre, int pitch)
    {
        const int rate = 24000;
        var mix = new float[rate];
        Synthesizer.AddNote(timbre, new Note(0, 0.9, pitch, 1f, Part.Melody), 1f, mix, rate, new SeededRandom(1));
        // the fundamental period is the lag (within a factor-2 search band) of the strongest autocorrelation
        var expected = rate / Synthesizer.Frequency(pitch);
        var window = mix.AsSpan(rate / 10, rate / 4);
        var best = 0;
        var bestValue = double.MinValue;
        for (var lag = (int)(expected * 0.7); lag <= (int)(expected * 1.4); lag++)
        {
            double s = 0;
            for (var i = 0; i + lag < window.Length; i++) s += window[i] * window[i + lag];
            if (s > bestValue) (best, bestValue) = (lag, s);
        }
        Assert.InRange(best, expected - 1.5, expected + 1.5); // within a sample: < 3% at these pitches
    }

    [Fact]
    public void Melody_chords_and_bass_stay_in_the_key_and_within_the_clip()
    {
        for (var i = 0; i < 20; i++)
        {
            var spec = MusicSpecSampler.Sample(3, $"k-{i}", 4.0);
            var scale = Enumerable.Range(0, 7).Select(d => spec.Key.Pitch(d, 4) % 12).ToHashSet();
            var (notes, hits) = Composer.Compose(spec);
            Assert.Contains(notes, n => n.Part == Part.Melody);
            Assert.All(notes, n => Assert.Contains(n.Pitch % 12, scale));
            Assert.All(notes, n => Assert.InRange(n.Start, 0, spec.Seconds));
            Assert.Equal(spec.Drums == DrumStyle.None, hits.Count == 0);
        }
    }

    [Fact]
    public void Audio_is_peak_normalised_and_the_requested_length()
    {
        var spec = MusicSpecSampler.Sample(11, "n-0", 1.5);
        var audio = MusicRenderer.Render(spec, 32000);
        Assert.Equal(48000, audio.Length);
        Assert.Equal(MusicRenderer.PeakLevel, audio.Max(MathF.Abs), 4);
        Assert.All(audio, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Captions_state_the_parameters()
    {
        var spec = MusicSpecSampler.Sample(5, "c-0", 2);
        var caption = CaptionWriter.Caption(spec);
        Assert.Contains(spec.Key.Name, caption);
        Assert.Contains($"{spec.Tempo} B", caption);
        Assert.Contains(spec.Meter.Name, caption);
        Assert.Contains(MusicSpec.InstrumentName(spec.Lead), caption);
        Assert.Contains(spec.Mood, caption, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Edit_pairs_change_one_thing_and_say_so()
    {
        var kinds = new HashSet<EditKind>();
        for (var i = 0; i < 30; i++)
        {
            var source = MusicSpecSampler.Sample(9, $"e-{i}", 2);
            var pair = EditPairs.Make(9, $"e-{i}", source);
            kinds.Add(pair.Kind);
            var t = pair.Target;
            switch (pair.Kind)
            {
                case EditKind.Instrument:
                    Assert.NotEqual(source.Lead, t.Lead);
                    Assert.Contains(MusicSpec.InstrumentName(t.Lead), pair.Instruction);
                    Assert.Equal(source with { Id = t.Id, Lead = t.Lead }, t);
                    break;
                case EditKind.Tempo:
                    Assert.NotEqual(source.Tempo, t.Tempo);
                    Assert.Contains($"{t.Tempo} BPM", pair.Instruction);
                    Assert.Equal(source with { Id = t.Id, Tempo = t.Tempo }, t);
                    break;
                default:
                    Assert.NotEqual(source.Key, t.Key);
                    Assert.Contains(t.Key.Name, pair.Instruction);
                    Assert.Equal(source with { Id = t.Id, Key = t.Key }, t);
                    break;
            }
        }
        Assert.Equal(3, kinds.Count);
    }

    [Fact]
    public void Theory_answers_are_true()
    {
        Assert.Equal("A minor", new MusicalKey(0, Mode.Major).Relative.Name);
        Assert.Equal(["C", "E", "G"], new MusicalKey(0, Mode.Major).TriadPitchClasses(0).Select(MusicalKey.PitchName));
        Assert.Equal(["A", "C", "E"], new MusicalKey(0, Mode.Major).TriadPitchClasses(5).Select(MusicalKey.PitchName));
        Assert.Equal(69, new MusicalKey(9, Mode.Minor).Pitch(0, 4));
        Assert.Equal(2, Meter.SixEight.Beats);
    }
}
