using System.Buffers.Binary;

namespace MusicGen.Assistant.Audio.Wav;

/// <summary>
/// Converts between interleaved little-endian WAV samples and planar floats.
/// <para>Reading: a b-bit signed PCM integer x becomes x / 2^(b-1) (so int16 → x / 32768, range [-1, 1 - 2^-15]);
/// 8-bit unsigned u becomes (u - 128) / 128. Floats are read as stored (float64 narrowed to float32).</para>
/// <para>Writing PCM: y = clamp(round(x · 2^(b-1)), -2^(b-1), 2^(b-1) - 1), rounding to nearest with ties to even.
/// So +1.0 writes 32767 and -1.0 writes -32768 in 16 bits, and any value read from a PCM file writes back to the
/// same integer. NaN cannot be expressed in PCM and is rejected; ±∞ clamp like any out-of-range value.
/// Floats are written as given (NaN included).</para>
/// </summary>
public static class WavSampleCodec
{
    private const float Scale8 = 128f;
    private const float Scale16 = 32768f;
    private const float Scale24 = 8388608f;
    private const double Scale32 = 2147483648.0;

    /// <summary>Decodes <paramref name="frames"/> interleaved frames into <c>destination[c][offset..]</c>.</summary>
    public static void Decode(ReadOnlySpan<byte> source, WavSampleFormat format, int channelCount,
        float[][] destination, int offset, int frames)
    {
        int bytes = format.BytesPerSample();
        int blockAlign = bytes * channelCount;
        if (source.Length < (long)frames * blockAlign)
            throw new ArgumentException($"Source holds {source.Length} bytes; {frames} frames need {(long)frames * blockAlign}.");
        for (int c = 0; c < channelCount; c++)
        {
            Span<float> dst = destination[c].AsSpan(offset, frames);
            ReadOnlySpan<byte> src = source[(c * bytes)..];
            int pos = 0;
            switch (format)
            {
                case WavSampleFormat.Pcm8:
                    for (int f = 0; f < dst.Length; f++, pos += blockAlign)
                        dst[f] = (src[pos] - 128) / Scale8;
                    break;
                case WavSampleFormat.Pcm16:
                    for (int f = 0; f < dst.Length; f++, pos += blockAlign)
                        dst[f] = BinaryPrimitives.ReadInt16LittleEndian(src[pos..]) / Scale16;
                    break;
                case WavSampleFormat.Pcm24:
                    for (int f = 0; f < dst.Length; f++, pos += blockAlign)
                    {
                        // Assemble in the top 24 bits so the arithmetic shift sign-extends.
                        int v = (src[pos] << 8) | (src[pos + 1] << 16) | (src[pos + 2] << 24);
                        dst[f] = (v >> 8) / Scale24;
                    }
                    break;
                case WavSampleFormat.Pcm32:
                    for (int f = 0; f < dst.Length; f++, pos += blockAlign)
                        dst[f] = (float)(BinaryPrimitives.ReadInt32LittleEndian(src[pos..]) / Scale32);
                    break;
                case WavSampleFormat.Float32:
                    for (int f = 0; f < dst.Length; f++, pos += blockAlign)
                        dst[f] = BinaryPrimitives.ReadSingleLittleEndian(src[pos..]);
                    break;
                case WavSampleFormat.Float64:
                    for (int f = 0; f < dst.Length; f++, pos += blockAlign)
                        dst[f] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src[pos..]);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format.");
            }
        }
    }

    /// <summary>Encodes <c>source[c][offset..offset+frames]</c> as interleaved frames.</summary>
    /// <exception cref="ArgumentException">A PCM target receives NaN (the message names channel and frame).</exception>
    public static void Encode(float[][] source, int offset, int frames, WavSampleFormat format, Span<byte> destination)
    {
        int channelCount = source.Length;
        int bytes = format.BytesPerSample();
        int blockAlign = bytes * channelCount;
        if (destination.Length < (long)frames * blockAlign)
            throw new ArgumentException($"Destination holds {destination.Length} bytes; {frames} frames need {(long)frames * blockAlign}.");
        for (int c = 0; c < channelCount; c++)
        {
            ReadOnlySpan<float> src = source[c].AsSpan(offset, frames);
            Span<byte> dst = destination[(c * bytes)..];
            int pos = 0;
            switch (format)
            {
                case WavSampleFormat.Pcm8:
                    for (int f = 0; f < src.Length; f++, pos += blockAlign)
                        dst[pos] = (byte)(ToInt(src[f], Scale8, -128, 127, c, offset + f) + 128);
                    break;
                case WavSampleFormat.Pcm16:
                    for (int f = 0; f < src.Length; f++, pos += blockAlign)
                        BinaryPrimitives.WriteInt16LittleEndian(dst[pos..],
                            (short)ToInt(src[f], Scale16, short.MinValue, short.MaxValue, c, offset + f));
                    break;
                case WavSampleFormat.Pcm24:
                    for (int f = 0; f < src.Length; f++, pos += blockAlign)
                    {
                        int v = ToInt(src[f], Scale24, -8388608, 8388607, c, offset + f);
                        dst[pos] = (byte)v;
                        dst[pos + 1] = (byte)(v >> 8);
                        dst[pos + 2] = (byte)(v >> 16);
                    }
                    break;
                case WavSampleFormat.Pcm32:
                    for (int f = 0; f < src.Length; f++, pos += blockAlign)
                        BinaryPrimitives.WriteInt32LittleEndian(dst[pos..], ToInt32(src[f], c, offset + f));
                    break;
                case WavSampleFormat.Float32:
                    for (int f = 0; f < src.Length; f++, pos += blockAlign)
                        BinaryPrimitives.WriteSingleLittleEndian(dst[pos..], src[f]);
                    break;
                case WavSampleFormat.Float64:
                    for (int f = 0; f < src.Length; f++, pos += blockAlign)
                        BinaryPrimitives.WriteDoubleLittleEndian(dst[pos..], src[f]);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format.");
            }
        }
    }

    /// <summary>The PCM integer a float is written as (see the class remarks), for 8..24 bits.</summary>
    private static int ToInt(float x, float scale, int min, int max, int channel, int frame)
    {
        // x · 2^k is exact in float for these scales, so only the final rounding matters.
        float scaled = MathF.Round(x * scale, MidpointRounding.ToEven);
        if (scaled >= max) return max;
        if (scaled <= min) return min;
        if (float.IsNaN(scaled)) throw NaNError(channel, frame);
        return (int)scaled;
    }

    private static int ToInt32(float x, int channel, int frame)
    {
        double scaled = Math.Round(x * Scale32, MidpointRounding.ToEven);
        if (scaled >= int.MaxValue) return int.MaxValue;
        if (scaled <= int.MinValue) return int.MinValue;
        if (double.IsNaN(scaled)) throw NaNError(channel, frame);
        return (int)scaled;
    }

    private static ArgumentException NaNError(int channel, int frame) =>
        new($"Sample at channel {channel}, frame {frame} is NaN, which PCM cannot represent; " +
            "write a float format or fix the signal.");
}
