namespace MusicGen.Assistant.Training.Procedural;

/// <summary>How much a caption says: everything (key, tempo, meter, instruments, drums) or the short form.</summary>
public enum CaptionStyle { Full, Short }

/// <summary>
/// Captions and conversation texts from a spec's parameters, in a few phrasings chosen by the spec's seed, so a caption
/// always states the true key, tempo, meter, instruments and drums of its audio.
/// </summary>
public static class CaptionWriter
{
    private static readonly string[] Templates =
    [
        "A {mood} {tempoWord} piece in {key} at {tempo} BPM in {meter} time, with a {lead} melody over {accomp} chords and {drums}.",
        "{Mood} music in {key}, {tempo} BPM, {meter}: a {lead} plays the tune, {accomp} hold the harmony, with {drums}.",
        "This {tempoWord} {mood} track in {meter} time is in {key} at {tempo} beats per minute; a {lead} leads over {accomp} and {drums}.",
    ];

    public static string Caption(MusicSpec s, CaptionStyle style = CaptionStyle.Full)
    {
        if (style == CaptionStyle.Short) return ShortCaption(s);
        var r = SeededRandom.For(s.Seed, "caption");
        return Fill(r.Pick(Templates), s);
    }

    /// <summary>Mood, lead instrument, key and tempo in a few words (for models with a short context).</summary>
    public static string ShortCaption(MusicSpec s) =>
        $"{char.ToUpperInvariant(s.Mood[0])}{s.Mood[1..]} {MusicSpec.InstrumentName(s.Lead)} in {s.Key.Name}, {s.Tempo} BPM.";

    /// <summary>M2UGen's answer form for generated music: "Here is a music that is ..." + the caption's description.</summary>
    public static string MusicAnswer(MusicSpec s, CaptionStyle style = CaptionStyle.Full) => style == CaptionStyle.Short
        ? $"Here is a music that is {s.Mood}: {MusicSpec.InstrumentName(s.Lead)} in {s.Key.Name}."
        : $"Here is a music that is {s.Mood} and {s.TempoWord}, in {s.Key.Name} at {s.Tempo} BPM, played by a {MusicSpec.InstrumentName(s.Lead)} over {Accompaniment(s)} with {MusicSpec.DrumName(s.Drums)}.";

    /// <summary>A caption for the image derived from the spec (what BLIP would say about it).</summary>
    public static string ImageCaption(MusicSpec s) => $"the image shows {CoverArt.ShapeCount(s)} {CoverArt.ColourName(s)} {CoverArt.ShapeName(s)} on a {(s.Key.Mode == Mode.Major ? "bright" : "dark")} background";

    /// <summary>A caption for the video derived from the spec.</summary>
    public static string VideoCaption(MusicSpec s) => $"{CoverArt.ShapeCount(s)} {CoverArt.ColourName(s)} {CoverArt.ShapeName(s)} pulse {s.TempoWord}ly on a {(s.Key.Mode == Mode.Major ? "bright" : "dark")} background";

    private static string Accompaniment(MusicSpec s) => s.Accompaniment == Timbre.Bowed ? "bowed strings" : MusicSpec.InstrumentName(s.Accompaniment) + " chords";

    private static string Fill(string template, MusicSpec s)
    {
        var mood = s.Mood;
        return template
            .Replace("{Mood}", char.ToUpperInvariant(mood[0]) + mood[1..])
            .Replace("{mood}", mood)
            .Replace("{tempoWord}", s.TempoWord)
            .Replace("{key}", s.Key.Name)
            .Replace("{tempo}", s.Tempo.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("{meter}", s.Meter.Name)
            .Replace("{lead}", MusicSpec.InstrumentName(s.Lead))
            .Replace("{accomp}", s.Accompaniment == Timbre.Bowed ? "bowed strings" : MusicSpec.InstrumentName(s.Accompaniment))
            .Replace("{drums}", MusicSpec.DrumName(s.Drums));
    }
}

/// <summary>Question/answer texts: MusicQA conversations about a clip and Alpaca-style music-theory instructions.</summary>
public static class QuestionWriter
{
    /// <summary>MU-LLaMA's four fixed questions, then questions on the clip's parameters, each with a true answer.</summary>
    public static IReadOnlyList<(string Question, string Answer)> AboutClip(MusicSpec s, CaptionStyle style = CaptionStyle.Full)
    {
        var caption = CaptionWriter.Caption(s, style);
        var lead = MusicSpec.InstrumentName(s.Lead);
        return
        [
            ("Describe the audio", caption),
            ("Describe the audio in detail", $"{caption} The chords follow {s.ProgressionText}."),
            ("What do you hear in the audio?", $"A {lead} melody with {MusicSpec.InstrumentName(s.Accompaniment)} accompaniment and {MusicSpec.DrumName(s.Drums)}."),
            ("What can be inferred from the audio?", $"The music feels {s.Mood}: it is in a {(s.Key.Mode == Mode.Major ? "major" : "minor")} key at a {s.TempoWord} tempo."),
            ("What is the tempo of the music?", $"About {s.Tempo} beats per minute."),
            ("Which instrument plays the melody?", $"A {lead}."),
            ("What key is the music in?", $"{s.Key.Name}."),
            ("What is the time signature?", $"{s.Meter.Name}."),
        ];
    }

    /// <summary>A text-only instruction about keys, chords and tempo, drawn from a stream.</summary>
    public static (string Instruction, string Input, string Output) Theory(SeededRandom r)
    {
        var key = new MusicalKey(r.Next(0, 12), r.Chance(0.5) ? Mode.Major : Mode.Minor);
        switch (r.Next(0, 4))
        {
            case 0:
                return ("What is the relative key of the given key?", key.Name, $"The relative key of {key.Name} is {key.Relative.Name}.");
            case 1:
            {
                var degree = r.Next(0, 7);
                var notes = key.TriadPitchClasses(degree).Select(MusicalKey.PitchName).ToArray();
                return ($"Name the notes of the {key.Numeral(degree)} chord in {key.Name}.", "", $"{notes[0]}, {notes[1]} and {notes[2]}.");
            }
            case 2:
            {
                var tempo = r.Next(12, 37) * 5;
                return ("How long is one beat at the given tempo?", $"{tempo} BPM", $"{60000.0 / tempo:0.#} milliseconds.");
            }
            default:
            {
                var names = Enumerable.Range(0, 7).Select(d => MusicalKey.PitchName(key.Pitch(d, 4))).ToArray();
                return ($"Spell the {key.Name} scale.", "", string.Join(" ", names) + ".");
            }
        }
    }
}
