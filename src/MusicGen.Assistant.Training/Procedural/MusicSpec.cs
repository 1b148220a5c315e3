namespace MusicGen.Assistant.Training.Procedural;

/// <summary>How an instrument makes its sound; each has its own simple synthesis.</summary>
public enum Timbre
{
    /// <summary>Karplus-Strong string: noise in a filtered delay line.</summary>
    Plucked,

    /// <summary>Band-limited sawtooth with a slow bow attack and vibrato.</summary>
    Bowed,

    /// <summary>Odd harmonics with breath noise and a soft attack.</summary>
    Blown,

    /// <summary>Inharmonic decaying partials of a struck bar.</summary>
    Struck,
}

public enum DrumStyle { None, Backbeat, FourOnTheFloor, HalfTime, Waltz }

/// <summary>
/// Everything one procedural clip is made from: key, tempo, meter, the instruments of melody and chords, the drum
/// pattern, the chord progression (scale degrees, one chord per bar) and the seed of its notes. Captions, images,
/// videos and edit instructions are all derived from these fields, so they always agree with the audio.
/// </summary>
public sealed record MusicSpec(
    string Id, MusicalKey Key, int Tempo, Meter Meter, Timbre Lead, Timbre Accompaniment, DrumStyle Drums,
    IReadOnlyList<int> Progression, double Seconds, ulong Seed)
{
    public MusicSpec Validate()
    {
        if (string.IsNullOrWhiteSpace(Id)) throw new ArgumentException("a music spec needs an id");
        if (Key.Tonic is < 0 or > 11) throw new ArgumentOutOfRangeException(nameof(Key), Key.Tonic, "tonic pitch class 0..11");
        if (Tempo is < 30 or > 300) throw new ArgumentOutOfRangeException(nameof(Tempo), Tempo, "tempo 30..300 BPM");
        if (Progression.Count == 0 || Progression.Any(d => d is < 0 or > 6))
            throw new ArgumentException($"progression [{string.Join(", ", Progression)}] must hold scale degrees 0..6");
        if (!(Seconds > 0 && Seconds <= 600)) throw new ArgumentOutOfRangeException(nameof(Seconds), Seconds, "0 < seconds <= 600");
        return this;
    }

    /// <summary>Seconds per felt beat.</summary>
    public double BeatSeconds => 60.0 / Tempo;

    public string Mood => (Key.Mode, Tempo >= 110) switch
    {
        (Mode.Major, true) => "cheerful",
        (Mode.Major, false) => "peaceful",
        (_, true) => "tense",
        (_, false) => "melancholic",
    };

    public static string InstrumentName(Timbre t) => t switch
    {
        Timbre.Plucked => "plucked guitar",
        Timbre.Bowed => "bowed strings",
        Timbre.Blown => "flute",
        Timbre.Struck => "marimba",
        _ => throw new ArgumentOutOfRangeException(nameof(t), t, null),
    };

    public static string DrumName(DrumStyle d) => d switch
    {
        DrumStyle.None => "no drums",
        DrumStyle.Backbeat => "a steady backbeat",
        DrumStyle.FourOnTheFloor => "a four-on-the-floor kick",
        DrumStyle.HalfTime => "a laid-back half-time groove",
        DrumStyle.Waltz => "a light waltz pattern",
        _ => throw new ArgumentOutOfRangeException(nameof(d), d, null),
    };

    public string TempoWord => Tempo switch { < 80 => "slow", < 110 => "moderate", < 140 => "lively", _ => "fast" };

    public string ProgressionText => string.Join("-", Progression.Select(Key.Numeral));
}
