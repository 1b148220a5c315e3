using System.Buffers.Binary;

namespace MusicGen.Assistant.Formats.Codes;

/// <summary>
/// Writes a codes file (see <see cref="AudioCodesFile"/>) frame block by frame block into a hidden temporary file
/// beside the target; <see cref="Complete"/> patches the sample and frame counts into the header and renames it over
/// the target. Disposing without <see cref="Complete"/> (or after a failure) deletes the temporary file, so the
/// target is either the whole new file or left as it was.
/// </summary>
public sealed class AudioCodesWriter : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _tempPath;
    private byte[] _buffer = [];
    private State _state = State.Open;

    private enum State { Open, Completed, Discarded }

    private AudioCodesWriter(string path, AudioCodesFormat format)
    {
        Path = System.IO.Path.GetFullPath(path);
        Format = format;
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"cannot write '{Path}': the folder '{directory}' does not exist");
        _tempPath = System.IO.Path.Combine(directory, $".{System.IO.Path.GetFileName(Path)}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16);
        try { _stream.Write(AudioCodesFile.EncodeHeader(new AudioCodesHeader(format, 0, 0))); }
        catch { Discard(); throw; }
    }

    /// <summary>The target file (full path); nothing appears there before <see cref="Complete"/>.</summary>
    public string Path { get; }
    public AudioCodesFormat Format { get; }
    public long FramesWritten { get; private set; }

    public static AudioCodesWriter Create(string path, AudioCodesFormat format)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(format);
        if (format.Problem() is { } problem) throw new ArgumentException($"cannot write '{path}': {problem}", nameof(format));
        return new AudioCodesWriter(path, format);
    }

    /// <summary>Appends every frame of <paramref name="codes"/> (one array per codebook, all of one length).</summary>
    public void Append(int[][] codes) => Append(codes, 0, codes.Length == 0 ? 0 : codes[0].Length);

    /// <summary>Appends frames [start, start + count) of <paramref name="codes"/> (one array per codebook).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A code is outside the codebook (names the codebook and frame).</exception>
    public void Append(int[][] codes, int start, int count)
    {
        ThrowIfNotOpen();
        ArgumentNullException.ThrowIfNull(codes);
        var k = Format.Codebooks;
        if (codes.Length != k) throw new ArgumentException($"got {codes.Length} codebooks, '{Path}' is written with {k}", nameof(codes));
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (var q = 0; q < k; q++)
            if (codes[q].Length - (long)start < count)
                throw new ArgumentException($"codebook {q} has {codes[q].Length} frames, no {count} frames at {start}", nameof(codes));

        // Check every code first so a bad block leaves the file as it was.
        for (var q = 0; q < k; q++)
        {
            var bad = codes[q].AsSpan(start, count).IndexOfAnyExceptInRange(0, Format.CodebookSize - 1);
            if (bad >= 0)
                throw new ArgumentOutOfRangeException(nameof(codes), codes[q][start + bad],
                    $"codebook {q}, frame {FramesWritten + bad}: code {codes[q][start + bad]} is outside the codebook (size {Format.CodebookSize})");
        }
        const int framesPerWrite = 1 << 14;
        var frameBytes = k * AudioCodesFile.BytesPerCode;
        if (_buffer.Length < Math.Min(count, framesPerWrite) * frameBytes) _buffer = new byte[Math.Min(count, framesPerWrite) * frameBytes];
        try
        {
            for (var done = 0; done < count;)
            {
                var n = Math.Min(framesPerWrite, count - done);
                for (var f = 0; f < n; f++)
                    for (var q = 0; q < k; q++)
                        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan((f * k + q) * AudioCodesFile.BytesPerCode), (ushort)codes[q][start + done + f]);
                _stream.Write(_buffer, 0, n * frameBytes);
                done += n;
            }
        }
        catch { Discard(); throw; }
        FramesWritten += count;
    }

    /// <summary>Finishes the file with the number of samples the frames stand for (default: every frame whole).</summary>
    /// <param name="sampleCount">The original signal length, so decoding can trim; ceil(sampleCount / hop) must equal the frames written.</param>
    public void Complete(long? sampleCount = null)
    {
        ThrowIfNotOpen();
        var samples = sampleCount ?? FramesWritten * Format.HopLength;
        if (!Format.FitsSampleCount(FramesWritten, samples))
            throw new ArgumentException($"{samples} samples do not match the {FramesWritten} frames written to '{Path}' " +
                                        $"(frames must be ceil(samples / {Format.HopLength}))", nameof(sampleCount));
        try
        {
            _stream.Position = 0;
            _stream.Write(AudioCodesFile.EncodeHeader(new AudioCodesHeader(Format, samples, FramesWritten)));
            _stream.Flush(flushToDisk: false);
            _stream.Dispose();
            File.Move(_tempPath, Path, overwrite: true);
            _state = State.Completed;
        }
        catch
        {
            Discard();
            throw;
        }
    }

    /// <summary>Discards what was written; the target is left as it was.</summary>
    public void Abort()
    {
        if (_state == State.Open) Discard();
    }

    public void Dispose() => Abort();

    private void Discard()
    {
        _state = State.Discarded;
        _stream.Dispose();
        try { File.Delete(_tempPath); }
        catch (IOException) { /* best effort: the temp file is hidden and never replaces the target */ }
    }

    private void ThrowIfNotOpen()
    {
        if (_state != State.Open) throw new InvalidOperationException($"the codes writer for '{Path}' is {_state.ToString().ToLowerInvariant()}");
    }
}
