using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Audio.Wav;

/// <summary>
/// Reads a WAV file's audio in blocks of frames, holding only one block of raw bytes at a time.
/// Create with <see cref="WavReader.Open"/>.
/// </summary>
public sealed class WavFileReader : IDisposable
{
    /// <summary>Raw bytes read per I/O call when a caller asks for more frames at once.</summary>
    private const int IoBufferBytes = 1 << 18;

    private readonly FileStream _stream;
    private readonly long _dataOffset;
    private byte[]? _raw;
    private bool _disposed;

    internal WavFileReader(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = path;
        InputFile.RequireRegular(path, "WAV file");
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0,
            FileOptions.SequentialScan);
        try
        {
            WavLayout layout = WavHeaderParser.Parse(_stream, path);
            Format = layout.Format;
            _dataOffset = layout.DataOffset;
            _stream.Position = _dataOffset;
        }
        catch (EndOfStreamException e)
        {
            _stream.Dispose();
            throw new AudioFormatException(path, "truncated: the file ends inside its header", e);
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
    }

    public string Path { get; }

    public WavFormat Format { get; }

    public int SampleRate => Format.SampleRate;

    public int ChannelCount => Format.ChannelCount;

    public long FrameCount => Format.FrameCount;

    public int BitsPerSample => Format.BitsPerSample;

    /// <summary>Index of the next frame <see cref="Read"/> returns.</summary>
    public long Position { get; private set; }

    public long FramesRemaining => Format.FrameCount - Position;

    /// <summary>
    /// Reads up to <paramref name="maxFrames"/> frames into <c>destination[c][offset..]</c> (one array per channel);
    /// returns the number read, 0 at the end of the data.
    /// </summary>
    public int Read(float[][] destination, int offset, int maxFrames)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(destination);
        if (destination.Length != ChannelCount)
            throw new ArgumentException(
                $"Destination has {destination.Length} channel arrays; '{Path}' has {ChannelCount} channels.", nameof(destination));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFrames);
        foreach (float[] channel in destination)
            if (channel.Length - (long)offset < maxFrames)
                throw new ArgumentException(
                    $"Destination channels of {channel.Length} samples cannot take {maxFrames} frames at offset {offset}.",
                    nameof(destination));

        int total = (int)Math.Min(maxFrames, FramesRemaining);
        int blockAlign = Format.BlockAlign;
        int framesPerIo = Math.Max(1, IoBufferBytes / blockAlign);
        int done = 0;
        while (done < total)
        {
            int frames = Math.Min(framesPerIo, total - done);
            int bytes = frames * blockAlign;
            if (_raw is null || _raw.Length < bytes)
                _raw = new byte[Math.Max(bytes, (int)Math.Min(IoBufferBytes, total * (long)blockAlign))];
            int got = _stream.ReadAtLeast(_raw.AsSpan(0, bytes), bytes, throwOnEndOfStream: false);
            if (got < bytes)
                throw new AudioFormatException(Path,
                    $"truncated: the file ended {bytes - got} bytes early while reading frame {Position + done} " +
                    "(was it shortened while being read?)");
            WavSampleCodec.Decode(_raw.AsSpan(0, bytes), Format.SampleFormat, ChannelCount, destination, offset + done, frames);
            done += frames;
        }
        Position += done;
        return done;
    }

    /// <summary>Reads the next block of at most <paramref name="maxFrames"/> frames; null at the end.</summary>
    public AudioBuffer? ReadBlock(int maxFrames)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxFrames);
        int frames = (int)Math.Min(maxFrames, FramesRemaining);
        if (frames == 0)
            return null;
        var block = new AudioBuffer(SampleRate, ChannelCount, frames);
        Read(block.Channels, 0, frames);
        return block;
    }

    /// <summary>Yields consecutive blocks of <paramref name="blockFrames"/> frames (the last may be shorter).</summary>
    public IEnumerable<AudioBuffer> ReadBlocks(int blockFrames)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockFrames);
        while (ReadBlock(blockFrames) is { } block)
            yield return block;
    }

    /// <summary>Reads everything from <see cref="Position"/> to the end into one buffer.</summary>
    public AudioBuffer ReadToEnd()
    {
        if (FramesRemaining > Array.MaxLength)
            throw new AudioFormatException(Path,
                $"{FramesRemaining} frames do not fit one in-memory buffer (max {Array.MaxLength}); read it in blocks with WavReader.Open");
        var buffer = new AudioBuffer(SampleRate, ChannelCount, (int)FramesRemaining);
        Read(buffer.Channels, 0, buffer.FrameCount);
        return buffer;
    }

    /// <summary>Moves to frame <paramref name="frame"/> (0 ≤ frame ≤ FrameCount).</summary>
    public void Seek(long frame)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (frame < 0 || frame > FrameCount)
            throw new ArgumentOutOfRangeException(nameof(frame), frame, $"'{Path}' has {FrameCount} frames.");
        _stream.Position = _dataOffset + frame * Format.BlockAlign;
        Position = frame;
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _stream.Dispose();
    }
}
