using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Loudness;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Media;

namespace MusicGen.Assistant.Generation;

/// <summary>What was written: a description of the file, its peak level and, when asked for, the loudness normalization.</summary>
public sealed record TrackFile(string Description, string? Loudness, PeakLevel Peak);

/// <summary>
/// Writing a generated track: the format comes from the file extension (.wav by our writer; .mp3, .flac, .ogg through
/// ffmpeg), optionally normalized to a loudness target (EBU R128, never clipping) first.
/// </summary>
public static class TrackWriter
{
    /// <summary>The format <paramref name="output"/> asks for; checked (ffmpeg found when needed) before any work.</summary>
    public static AudioFileFormat FormatFor(string output)
    {
        var extension = Path.GetExtension(output);
        var format = extension.Length == 0 ? AudioFileFormat.Wav : AudioFileFormats.FromExtension(output)
            ?? throw AssistantException.InvalidRequest($"--out '{output}': '{extension}' is not an audio format this writes; use {AudioFileFormats.Supported}");
        if (format.NeedsFfmpeg())
        {
            try { _ = MediaTools.Default; }
            catch (MediaToolNotFoundException e)
            {
                throw AssistantException.Runtime($"--out '{output}' asks for {format.ToString().ToUpperInvariant()}, which is written through ffmpeg: {e.Message}", e);
            }
        }
        return format;
    }

    /// <param name="wavFormat">WAV sample format; for FLAC, 16-bit PCM picks 16-bit FLAC, anything else 24-bit.</param>
    /// <param name="loudnessLufs">Target integrated loudness, or null to write the audio as generated.</param>
    public static TrackFile Write(string path, AudioBuffer audio, AudioFileFormat format, WavSampleFormat wavFormat,
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
        // the level of what the file holds: after normalization, before any clipping by the format
        var peak = PeakLevel.Of(audio, format == AudioFileFormat.Wav && wavFormat == WavSampleFormat.Float32);
        AudioFileWriter.Write(path, audio, options, cancellation);
        var description = format switch
        {
            AudioFileFormat.Wav => wavFormat == WavSampleFormat.Pcm16 ? "16-bit PCM WAV" : "32-bit float WAV",
            AudioFileFormat.Flac => $"{options.FlacBits}-bit FLAC",
            AudioFileFormat.Mp3 => "MP3 (LAME VBR quality 2, about 190 kbps)",
            AudioFileFormat.Ogg => $"Ogg Vorbis (quality {options.OggQuality:0.#})",
            _ => format.ToString(),
        };
        return new TrackFile(description, loudness, peak);
    }
}
