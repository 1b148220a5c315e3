using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Generation;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Cli.Presentation;

/// <summary>The lines the generating commands print: the demo warning, the model and sampling, each written track.</summary>
internal static class GenerationOutput
{
    public static void WarnDemo(CliConsole console)
    {
        console.Line("!! UNTRAINED DEMO MODEL: no --model was given, so a small random-weight MusicGen (T5, decoder, EnCodec)");
        console.Line("!! built by this program is used. The output is noise, not music; it shows the pipeline and its speed.");
        console.Line("!! For real music convert a MusicGen checkpoint (mga convert) and pass --model.");
    }

    public static void Reminder(CliConsole console) =>
        console.Line("Reminder: UNTRAINED DEMO MODEL (random weights); the audio is structured noise by design, not music.");

    public static string Model(ResolvedModelSet model) =>
        $"{model.Manifest.Name} ({model.Manifest.Source}{(model.Created is { } t ? $", created in {Units.Duration(t)}" : "")})";

    public static string Sampling(SamplingSettings sampling, ulong seed, bool seedGiven) =>
        SamplingChoice.Describe(sampling) + $", seed {seed}" + (seedGiven ? "" : $" (pass --seed {seed} to repeat)");

    /// <summary>The peak line every written track gets, and a warning line when the audio went above full scale.</summary>
    public static void Peak(CliConsole console, PeakLevel peak, bool canNormalize = true)
    {
        var remedy = (canNormalize ? "pass --loudness -14 to normalize it (peaks held below -1 dBFS)" : "lower its level before listening") +
                     (peak.Clipped ? "; a 32-bit float WAV (--format f32) would keep it unclipped" : "");
        console.Field("peak", peak.Describe(remedy));
        if (peak.AboveFullScale)
            console.Error.WriteLine($"warning: the audio peaks at {Units.Number(peak.Dbfs, "+0.0")} dBFS, above full scale" +
                                    (peak.Clipped ? " and clipped in the file" : "") + $"; {remedy}");
    }


    public static void Written(CliConsole console, WrittenTrack t, bool demo)
    {
        console.Line($"Wrote '{t.Path}'{(demo ? " (UNTRAINED DEMO MODEL output)" : "")}: {(t.Prompt is { } p ? $"\"{p}\"" : "(no text)")}");
        console.Field("audio", $"{Units.Seconds(t.Seconds)}, {t.SampleRate} Hz, {(t.Channels == 1 ? "mono" : "stereo")}, {t.File.Description}");
        if (t.File.Loudness is { } loudness) console.Field("loudness", loudness);
        Peak(console, t.File.Peak);
        console.Field("time", $"{Units.Duration(t.Time)}, {Units.RealTimeFactor(t.Time, t.Seconds)}");
    }
}
