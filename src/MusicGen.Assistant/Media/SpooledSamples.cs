using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using MusicGen.Assistant.Models;

namespace MusicGen.Assistant.Media;

/// <summary>
/// A signal spooled to a hidden temporary file (float32, interleaved frames), read back by random access as an
/// <see cref="ISampleSource"/>: encoding an hour of audio needs memory for one chunk window, not the whole signal.
/// The file is deleted when this is disposed (and by the OS on close, should the process die).
/// </summary>
public sealed class SpooledSamples : ISampleSource, IDisposable
{
    private readonly SafeFileHandle _file;
    private readonly string _path;
    private byte[] _scratch = [];
    private float[] _frames = [];

    public SpooledSamples(string directory, string nameHint, int channels)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        Channels = channels;
        _path = Path.Combine(directory, $".{nameHint}.{Guid.NewGuid():N}.samples.tmp");
        _file = File.OpenHandle(_path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, FileOptions.DeleteOnClose);
    }

    public int Channels { get; }
    public long Length { get; private set; }

    /// <summary>Appends <paramref name="frames"/> frames of planar audio (one array per channel).</summary>
    public void Append(float[][] channels, int frames)
    {
        if (channels.Length != Channels) throw new ArgumentException($"got {channels.Length} channels, the spool holds {Channels}");
        if (frames == 0) return;
        if (Channels == 1)
        {
            RandomAccess.Write(_file, MemoryMarshal.AsBytes(channels[0].AsSpan(0, frames)), Length * sizeof(float));
        }
        else
        {
            if (_frames.Length < frames * Channels) _frames = new float[frames * Channels];
            for (var f = 0; f < frames; f++)
                for (var c = 0; c < Channels; c++)
                    _frames[f * Channels + c] = channels[c][f];
            RandomAccess.Write(_file, MemoryMarshal.AsBytes(_frames.AsSpan(0, frames * Channels)), Length * Channels * sizeof(float));
        }
        Length += frames;
    }

    public void Read(int channel, long start, Span<float> destination)
    {
        if ((uint)channel >= (uint)Channels) throw new ArgumentOutOfRangeException(nameof(channel));
        if (start < 0 || start + destination.Length > Length)
            throw new ArgumentOutOfRangeException(nameof(start), $"samples {start}..{start + destination.Length} are outside the {Length} spooled");
        if (Channels == 1)
        {
            ReadExactly(MemoryMarshal.AsBytes(destination), start * sizeof(float));
            return;
        }
        const int framesPerRead = 1 << 14;
        if (_scratch.Length < framesPerRead * Channels * sizeof(float)) _scratch = new byte[framesPerRead * Channels * sizeof(float)];
        for (var done = 0; done < destination.Length;)
        {
            var n = Math.Min(framesPerRead, destination.Length - done);
            var bytes = _scratch.AsSpan(0, n * Channels * sizeof(float));
            ReadExactly(bytes, (start + done) * Channels * sizeof(float));
            var interleaved = MemoryMarshal.Cast<byte, float>(bytes);
            for (var f = 0; f < n; f++) destination[done + f] = interleaved[f * Channels + channel];
            done += n;
        }
    }

    private void ReadExactly(Span<byte> buffer, long offset)
    {
        while (!buffer.IsEmpty)
        {
            var got = RandomAccess.Read(_file, buffer, offset);
            if (got == 0) throw new IOException($"the spool file '{_path}' ended early (was it removed?)");
            buffer = buffer[got..];
            offset += got;
        }
    }

    public void Dispose()
    {
        _file.Dispose();
        try { File.Delete(_path); }
        catch (IOException) { /* DeleteOnClose already removed it */ }
    }
}
