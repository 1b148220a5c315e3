using MusicGen.Assistant.Audio.Wav;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>How <see cref="AudioFileWriter"/> writes a file; every setting has a sensible default.</summary>
public sealed record AudioEncodeOptions
{
    /// <summary>The format; null: taken from the file extension.</summary>
    public AudioFileFormat? Format { get; init; }

    /// <summary>WAV sample format.</summary>
    public WavSampleFormat WavSampleFormat { get; init; } = WavSampleFormat.Float32;

    /// <summary>MP3 constant bit rate in kbps (32..320); null: LAME VBR quality 2 (about 190 kbps).</summary>
    public int? Mp3BitrateKbps { get; init; }

    /// <summary>Vorbis quality, -1 (smallest) to 10 (best); 6 is about 190 kbps for stereo.</summary>
    public double OggQuality { get; init; } = 6;

    /// <summary>FLAC sample depth: 16 or 24 bits.</summary>
    public int FlacBits { get; init; } = 24;

    /// <summary>Where ffmpeg is; null: <see cref="MediaTools.Default"/>.</summary>
    public MediaTools? Tools { get; init; }

    internal void Validate()
    {
        if (Mp3BitrateKbps is < 32 or > 320)
            throw new ArgumentOutOfRangeException(nameof(Mp3BitrateKbps), Mp3BitrateKbps, "MP3 bit rate must be 32 to 320 kbps.");
        if (!(OggQuality is >= -1 and <= 10))
            throw new ArgumentOutOfRangeException(nameof(OggQuality), OggQuality, "Vorbis quality must be -1 to 10.");
        if (FlacBits is not (16 or 24))
            throw new ArgumentOutOfRangeException(nameof(FlacBits), FlacBits, "FLAC depth must be 16 or 24 bits.");
    }
}
