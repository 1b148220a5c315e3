using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.ModelSets;
using MusicGen.Assistant.Models.ModelSets;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// The reference melody of <c>mga generate --melody FILE</c> (MusicGen-Melody models only): any audio or video file
/// (WAV by our reader, mp3 and the rest by ffmpeg), mixed to mono and resampled to the chroma extractor's rate. Only
/// what the track can use is kept: the extractor's first 30 s, or the track's duration when longer (long-form windows
/// re-slice the melody from their own start, audiocraft's circular indexing).
/// </summary>
public sealed record MelodyInput(string Path, MelodyWaveform Waveform, bool Truncated)
{
    /// <summary>Fails before any model is loaded when the decoder of the set takes no melody.</summary>
    public static void RequireMelodyModel(ModelSetManifest manifest)
    {
        if (!MusicGenModelSet.IsMelodySet(manifest))
            throw AssistantException.InvalidRequest($"--melody needs a MusicGen-Melody model, but the decoder of '{manifest.Name}' ('{manifest.DecoderPath}') is a text-only MusicGen " +
                                                    "(it cross-attends to text and has no chroma conditioning); convert a musicgen-melody checkpoint with `mga convert` and pass it with --model");
    }

    public static MelodyInput Load(MusicGenModelSet set, string path, double trackSeconds, CancellationToken cancellation = default) =>
        AssistantException.Guard(() => LoadChecked(set, path, trackSeconds, cancellation));

    private static MelodyInput LoadChecked(MusicGenModelSet set, string path, double trackSeconds, CancellationToken cancellation)
    {
        var full = InputFiles.Require(path, "melody (--melody)");
        var extractor = set.Chroma ?? throw AssistantException.InvalidRequest($"the model set '{set.Manifest.Name}' takes no melody (not a MusicGen-Melody model)");
        var rate = extractor.Config.SamplingRate;
        var needed = (long)Math.Ceiling(Math.Max(trackSeconds, extractor.Config.ChunkLength) * rate);
        var samples = new List<float>();
        var truncated = false;
        try
        {
            using var reader = InputLimits.Checked(() => AudioDecoder.Open(full,
                new AudioDecodeOptions { SampleRate = rate, ChannelCount = 1, MaxDuration = InputLimits.MaxDuration }, cancellation));
            foreach (var block in reader.ReadBlocks())
            {
                var take = (int)Math.Min(block.FrameCount, needed - samples.Count);
                samples.AddRange(block.Channels[0].AsSpan(0, take));
                if (samples.Count >= needed)
                {
                    truncated = take < block.FrameCount || reader.ReadBlock() is not null;
                    break;
                }
            }
        }
        catch (Exception e) when (e is FormatException or FileNotFoundException or ArgumentException)
        {
            throw AssistantException.BadInput($"cannot read the melody '{path}': {e.Message}", e);
        }
        if (samples.Count == 0) throw AssistantException.BadInput($"the melody '{path}' holds no audio (0 samples)");
        return new MelodyInput(full, new MelodyWaveform(samples.ToArray(), rate), truncated);
    }

    public string Describe() =>
        $"'{System.IO.Path.GetFileName(Path)}': {Units.Seconds(Waveform.Seconds)}{(Truncated ? " used (the rest is beyond the track)" : "")}, " +
        "its chroma conditions every window";
}
