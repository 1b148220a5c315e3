namespace MusicGen.Assistant.Training.Procedural;

public enum Mode { Major, Minor }

/// <summary>A key: tonic pitch class (0 = C) and mode, with its diatonic scale and triads.</summary>
public sealed record MusicalKey(int Tonic, Mode Mode)
{
    private static readonly string[] SharpNames = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"];
    private static readonly int[] MajorSteps = [0, 2, 4, 5, 7, 9, 11];
    private static readonly int[] MinorSteps = [0, 2, 3, 5, 7, 8, 10]; // natural minor

    public static string PitchName(int pitchClass) => SharpNames[((pitchClass % 12) + 12) % 12];

    public string Name => $"{PitchName(Tonic)} {(Mode == Mode.Major ? "major" : "minor")}";

    /// <summary>Semitones above the tonic of scale degree 0..6.</summary>
    public IReadOnlyList<int> Steps => Mode == Mode.Major ? MajorSteps : MinorSteps;

    /// <summary>MIDI pitch of a scale degree (any integer; 7 = the octave) above the tonic in octave <paramref name="octave"/> (C4 = 60 at octave 4).</summary>
    public int Pitch(int degree, int octave)
    {
        var oct = (int)Math.Floor(degree / 7.0);
        var d = degree - 7 * oct;
        return 12 * (octave + 1 + oct) + Tonic + Steps[d];
    }

    /// <summary>The diatonic triad on a degree (0-based), as three degrees.</summary>
    public static int[] Triad(int degree) => [degree, degree + 2, degree + 4];

    /// <summary>Pitch classes of the triad on a degree.</summary>
    public IReadOnlyList<int> TriadPitchClasses(int degree) => Triad(degree).Select(d => Pitch(d, 4) % 12).ToArray();

    /// <summary>The relative key (A minor for C major).</summary>
    public MusicalKey Relative => Mode == Mode.Major ? new((Tonic + 9) % 12, Mode.Minor) : new((Tonic + 3) % 12, Mode.Major);

    /// <summary>Roman numeral of a degree in this mode (upper case = major triad).</summary>
    public string Numeral(int degree)
    {
        string[] major = ["I", "ii", "iii", "IV", "V", "vi", "vii°"];
        string[] minor = ["i", "ii°", "III", "iv", "v", "VI", "VII"];
        return (Mode == Mode.Major ? major : minor)[((degree % 7) + 7) % 7];
    }

    public override string ToString() => Name;
}

/// <summary>A time signature: beats per bar and the beat's note value; 6/8 counts two dotted-quarter beats.</summary>
public sealed record Meter(int Numerator, int Denominator)
{
    public static readonly Meter FourFour = new(4, 4);
    public static readonly Meter ThreeFour = new(3, 4);
    public static readonly Meter SixEight = new(6, 8);
    public static readonly IReadOnlyList<Meter> All = [FourFour, ThreeFour, SixEight];

    /// <summary>Felt beats per bar (the tempo counts these).</summary>
    public int Beats => Denominator == 8 && Numerator % 3 == 0 ? Numerator / 3 : Numerator;

    /// <summary>Subdivisions per beat (3 for compound meters).</summary>
    public int Subdivision => Denominator == 8 && Numerator % 3 == 0 ? 3 : 2;

    public string Name => $"{Numerator}/{Denominator}";

    public override string ToString() => Name;
}
