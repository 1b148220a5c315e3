namespace MusicGen.Assistant.Audio.Wav;

/// <summary>
/// Writes a WAV file block by block. Audio goes to a temporary file beside the target; <see cref="Complete"/>
/// (or <see cref="Dispose"/>) patches the header sizes and renames it over the target, so an interrupted run never
/// leaves a half-written file where the user's file was. Call <see cref="Abort"/> (e.g. in a catch block) to discard
/// the output instead; a writer whose own I/O failed discards it on Dispose too.
/// Sample conversion follows <see cref="WavSampleCodec"/>.
/// </summary>
public sealed class WavWriter : IDisposable
{
    private const int IoBufferBytes = 1 << 18;

    private readonly string _tempPath;
    private readonly FileStream _stream;
    private readonly int _headerLength;
    private readonly byte[] _raw;
    private State _state = State.Open;

    private enum State { Open, Completed, Aborted, Faulted }

    private WavWriter(string path, int sampleRate, int channelCount, WavSampleFormat format)
    {
        Path = System.IO.Path.GetFullPath(path);
        SampleRate = sampleRate;
        ChannelCount = channelCount;
        SampleFormat = format;
        string directory = System.IO.Path.GetDirectoryName(Path)!;
        _tempPath = System.IO.Path.Combine(directory,
            $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 0);
        try
        {
            byte[] header = WavHeaderWriter.Build(sampleRate, channelCount, format, frames: 0);
            _headerLength = header.Length;
            _stream.Write(header);
        }
        catch
        {
            _stream.Dispose();
            File.Delete(_tempPath);
            throw;
        }
        int blockAlign = channelCount * format.BytesPerSample();
        _raw = new byte[Math.Max(blockAlign, IoBufferBytes / blockAlign * blockAlign)];
    }

    /// <summary>The target file (full path).</summary>
    public string Path { get; }

    public int SampleRate { get; }

    public int ChannelCount { get; }

    public WavSampleFormat SampleFormat { get; }

    public long FramesWritten { get; private set; }

    /// <summary>Starts a new file; nothing appears at <paramref name="path"/> until <see cref="Complete"/> or Dispose.</summary>
    public static WavWriter Open(string path, int sampleRate, int channelCount,
        WavSampleFormat format = WavSampleFormat.Float32)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        if (channelCount is <= 0 or > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(channelCount), channelCount, "Channel count must be 1..65535.");
        if (!Enum.IsDefined(format))
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown WAV sample format.");
        if ((long)channelCount * format.BytesPerSample() > ushort.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(channelCount), channelCount,
                $"{channelCount} channels of {format} exceed the WAV block-align limit of 65535 bytes per frame.");
        return new WavWriter(path, sampleRate, channelCount, format);
    }

    /// <summary>Writes a whole buffer to <paramref name="path"/> (atomically replacing any existing file).</summary>
    public static void Write(string path, AudioBuffer buffer, WavSampleFormat format = WavSampleFormat.Float32)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        using WavWriter writer = Open(path, buffer.SampleRate, buffer.ChannelCount, format);
        try
        {
            writer.Write(buffer);
            writer.Complete();
        }
        catch
        {
            writer.Abort();
            throw;
        }
    }

    /// <summary>Appends a block; its rate and channel count must match the file's.</summary>
    public void Write(AudioBuffer block)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.SampleRate != SampleRate)
            throw new ArgumentException(
                $"Block is {block.SampleRate} Hz but '{Path}' is being written at {SampleRate} Hz; resample first.", nameof(block));
        Write(block.Channels, 0, block.FrameCount);
    }

    /// <summary>Appends <c>channels[c][offset..offset+frames]</c> for every channel.</summary>
    public void Write(float[][] channels, int offset, int frames)
    {
        ThrowIfNotOpen();
        ArgumentNullException.ThrowIfNull(channels);
        if (channels.Length != ChannelCount)
            throw new ArgumentException(
                $"Got {channels.Length} channels but '{Path}' is being written with {ChannelCount}.", nameof(channels));
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(frames);
        foreach (float[] channel in channels)
            if (channel.Length - (long)offset < frames)
                throw new ArgumentException(
                    $"A channel of {channel.Length} samples has no {frames} frames at offset {offset}.", nameof(channels));
        int blockAlign = ChannelCount * SampleFormat.BytesPerSample();
        long newBytes = (FramesWritten + frames) * blockAlign;
        if (newBytes > WavHeaderWriter.MaxDataBytes(_headerLength))
            throw new AudioFormatException(Path,
                $"{FramesWritten + frames} frames ({newBytes} bytes) exceed the 4 GiB size limit of a RIFF WAV file");
        if (!SampleFormat.IsFloat())
            ThrowOnNaN(channels, offset, frames);

        int framesPerIo = _raw.Length / blockAlign;
        try
        {
            for (int done = 0; done < frames;)
            {
                int n = Math.Min(framesPerIo, frames - done);
                WavSampleCodec.Encode(channels, offset + done, n, SampleFormat, _raw);
                _stream.Write(_raw, 0, n * blockAlign);
                done += n;
                FramesWritten += n;
            }
        }
        catch
        {
            _state = State.Faulted;
            throw;
        }
    }

    /// <summary>Finishes the header and moves the file into place. Idempotent.</summary>
    public void Complete()
    {
        if (_state == State.Completed)
            return;
        ThrowIfNotOpen();
        try
        {
            long dataBytes = FramesWritten * ChannelCount * SampleFormat.BytesPerSample();
            if ((dataBytes & 1) != 0)
                _stream.WriteByte(0); // RIFF chunks are padded to even length
            _stream.Position = 0;
            _stream.Write(WavHeaderWriter.Build(SampleRate, ChannelCount, SampleFormat, FramesWritten));
            _stream.Flush(flushToDisk: false);
            _stream.Dispose();
            File.Move(_tempPath, Path, overwrite: true);
            _state = State.Completed;
        }
        catch
        {
            Discard(State.Faulted);
            throw;
        }
    }

    /// <summary>Discards everything written; the target path is left as it was.</summary>
    public void Abort()
    {
        if (_state is State.Open or State.Faulted)
            Discard(State.Aborted);
    }

    /// <summary>Completes the file unless <see cref="Abort"/> was called or a write failed.</summary>
    public void Dispose()
    {
        if (_state == State.Open)
            Complete();
        else if (_state == State.Faulted)
            Discard(State.Faulted);
    }

    private void Discard(State state)
    {
        _state = state;
        _stream.Dispose();
        try
        {
            File.Delete(_tempPath);
        }
        catch (IOException)
        {
            // Best effort: the temp file is hidden and never replaces the target.
        }
    }

    private void ThrowIfNotOpen()
    {
        if (_state != State.Open)
            throw new InvalidOperationException($"The WAV writer for '{Path}' is {_state.ToString().ToLowerInvariant()}.");
    }

    private static void ThrowOnNaN(float[][] channels, int offset, int frames)
    {
        for (int c = 0; c < channels.Length; c++)
        {
            ReadOnlySpan<float> span = channels[c].AsSpan(offset, frames);
            for (int f = 0; f < span.Length; f++)
                if (float.IsNaN(span[f]))
                    throw new ArgumentException(
                        $"Sample at channel {c}, frame {offset + f} is NaN, which PCM cannot represent; " +
                        "write a float format or fix the signal.", nameof(channels));
        }
    }
}
