using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Loudness;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Hosting;

namespace MusicGen.Assistant.Cli.Generation;

/// <summary>What was written: a description of the file and, when asked for, of the loudness normalization.</summary>
internal sealed record WrittenTrack(string Description, string? Loudness);

/// <summary>
/// Writing a generated track: the format comes from the file extension (.wav by our writer; .mp3, .flac, .ogg through
/// ffmpeg), optionally normalized to a loudness target (EBU R128, never clipping) first.
/// </summary>
internal static class TrackOutput
{
    /// <summary>The format <paramref name="output"/> asks for; checked (ffmpeg found when needed) before any work.</summary>
    public static AudioFileFormat FormatFor(string output)
    {
        var extension = Path.GetExtension(output);
        var format = extension.Length == 0 ? AudioFileFormat.Wav : AudioFileFormats.FromExtension(output)
            ?? throw new CliException($"--out '{output}': '{extension}' is not an audio format this writes; use {AudioFileFormats.Supported}", ExitCodes.Usage);
        if (format.NeedsFfmpeg())
        {
            try { _ = MediaTools.Default; }
            catch (MediaToolNotFoundException e)
            {
                throw new CliException($"--out '{output}' asks for {format.ToString().ToUpperInvariant()}, which is written through ffmpeg: {e.Message}");
            }
        }
        return format;
    }

    /// <param name="wavFormat">WAV sample format; for FLAC, 16-bit PCM picks 16-bit FLAC, anything else 24-bit.</param>
    /// <param name="loudnessLufs">Target integrated loudness, or null to write the audio as generated.</param>
    public static WrittenTrack Write(string path, AudioBuffer audio, AudioFileFormat format, WavSampleFormat wavFormat,
        double? loudnessLufs, CancellationToken cancellation)
    {
        string? loudness = null;
        if (loudnessLufs is { } target)
        {
            var normalized = LoudnessNormalizer.Normalize(audio, target);
            audio = normalized.Audio;
            loudness = normalized.ToString();
        }
        var options = new AudioEncodeOptions
        {
            Format = format,
            WavSampleFormat = wavFormat,
            FlacBits = wavFormat == WavSampleFormat.Pcm16 ? 16 : 24,
        };
        AudioFileWriter.Write(path, audio, options, cancellation);
        var description = format switch
        {
            AudioFileFormat.Wav => wavFormat == WavSampleFormat.Pcm16 ? "16-bit PCM WAV" : "32-bit float WAV",
            AudioFileFormat.Flac => $"{options.FlacBits}-bit FLAC",
            AudioFileFormat.Mp3 => "MP3 (LAME VBR quality 2, about 190 kbps)",
            AudioFileFormat.Ogg => $"Ogg Vorbis (quality {options.OggQuality:0.#})",
            _ => format.ToString(),
        };
        return new WrittenTrack(description, loudness);
    }
}
