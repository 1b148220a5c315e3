using MusicGen.Assistant.Audio;

namespace MusicGen.Assistant.Media;

/// <summary>
/// The highest absolute sample of audio a job wrote, and whether the file kept what was above full scale: a 32-bit
/// float WAV keeps it (too loud to play as it is), every integer or lossy format clips it. The one place that says how
/// loud an output is; codec decode, generate and edit all report it this way.
/// </summary>
public readonly record struct PeakLevel(float Peak, bool FileKeepsOverFullScale)
{
    public bool AboveFullScale => Peak > 1;

    /// <summary>Above full scale in a file that cannot hold it: the samples were cut at ±1.</summary>
    public bool Clipped => AboveFullScale && !FileKeepsOverFullScale;

    public double Dbfs => Peak > 0 ? 20 * Math.Log10(Peak) : double.NegativeInfinity;

    public static PeakLevel Of(AudioBuffer audio, bool fileKeepsOverFullScale)
    {
        var meter = new PeakMeter();
        foreach (var channel in audio.Channels) meter.Add(channel);
        return meter.Level(fileKeepsOverFullScale);
    }

    /// <summary>"0.512 of full scale (-5.8 dBFS)", with what happened above full scale and what to do about it.</summary>
    public string Describe(string remedy = "turn the volume down before listening")
    {
        var level = $"{Units.Number(Peak, "0.000")} of full scale ({(Peak > 0 ? Units.Number(Dbfs, "+0.0;-0.0;0.0") : "-inf")} dBFS)";
        if (!AboveFullScale) return level;
        return level + (FileKeepsOverFullScale
            ? $" (above full scale: the float WAV keeps it; {remedy})"
            : $" (above full scale: clipped in the file; {remedy})");
    }
}

/// <summary>Keeps the largest absolute sample of audio written block by block.</summary>
public sealed class PeakMeter
{
    public float Peak { get; private set; }

    public void Add(ReadOnlySpan<float> samples)
    {
        var m = Peak;
        foreach (var v in samples) m = Math.Max(m, Math.Abs(v));
        Peak = m;
    }

    public PeakLevel Level(bool fileKeepsOverFullScale) => new(Peak, fileKeepsOverFullScale);
}
