using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// Writes an audio buffer to a file in the format its extension (or <see cref="AudioEncodeOptions.Format"/>) names:
/// WAV with our own writer, MP3/FLAC/Ogg through ffmpeg. Either way the file appears only when complete.
/// </summary>
public static class AudioFileWriter
{
    /// <summary>Writes the file; returns the format used.</summary>
    /// <exception cref="ArgumentException">Unknown extension, or a rate/channel count the format cannot hold.</exception>
    /// <exception cref="MediaToolNotFoundException">The format needs ffmpeg and it is not installed.</exception>
    /// <exception cref="MediaFormatException">ffmpeg failed (quoted); the target is left as it was.</exception>
    public static AudioFileFormat Write(string path, AudioBuffer audio, AudioEncodeOptions? options = null,
        CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(audio);
        options ??= new AudioEncodeOptions();
        AudioFileFormat format = options.Format ?? AudioFileFormats.Require(path);
        if (format == AudioFileFormat.Wav)
        {
            cancellation.ThrowIfCancellationRequested();
            WavWriter.Write(path, audio, options.WavSampleFormat);
            return format;
        }
        using FfmpegAudioWriter writer = FfmpegAudioWriter.Open(path, format, audio.SampleRate, audio.ChannelCount, options, cancellation);
        writer.Write(audio);
        writer.Complete();
        return format;
    }
}
