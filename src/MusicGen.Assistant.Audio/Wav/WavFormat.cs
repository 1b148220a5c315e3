namespace MusicGen.Assistant.Audio.Wav;

/// <summary>What a WAV file's header says about its audio.</summary>
/// <param name="SampleRate">Frames per second.</param>
/// <param name="ChannelCount">Interleaved channels per frame.</param>
/// <param name="SampleFormat">Storage of one sample.</param>
/// <param name="FrameCount">Frames in the data chunk.</param>
/// <param name="FormatTag">The fmt chunk's wFormatTag: 1 (PCM), 3 (IEEE float) or 0xFFFE (extensible).</param>
/// <param name="ValidBitsPerSample">Meaningful bits per sample (less than the container only in some extensible files).</param>
/// <param name="ChannelMask">Speaker positions from an extensible header; 0 when absent.</param>
/// <param name="IsRf64">True for RF64/BW64 files (64-bit sizes).</param>
public sealed record WavFormat(
    int SampleRate,
    int ChannelCount,
    WavSampleFormat SampleFormat,
    long FrameCount,
    int FormatTag,
    int ValidBitsPerSample,
    uint ChannelMask,
    bool IsRf64)
{
    public const int FormatTagPcm = 1;
    public const int FormatTagIeeeFloat = 3;
    public const int FormatTagExtensible = 0xFFFE;

    public int BitsPerSample => SampleFormat.BitsPerSample();

    /// <summary>Bytes per frame (all channels).</summary>
    public int BlockAlign => ChannelCount * SampleFormat.BytesPerSample();

    public TimeSpan Duration => AudioBuffer.FramesToDuration(FrameCount, SampleRate);
}
