using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Formats.Codes;

/// <summary>
/// Random access to the frames of a codes file (see <see cref="AudioCodesFile"/>). The header and the file length are
/// validated on open; codes are checked against the codebook size as they are read.
/// </summary>
public sealed class AudioCodesReader : IDisposable
{
    private readonly SafeFileHandle _handle;

    private AudioCodesReader(string path, SafeFileHandle handle, AudioCodesHeader header)
    {
        Path = path;
        _handle = handle;
        Header = header;
    }

    public string Path { get; }
    public AudioCodesHeader Header { get; }
    public AudioCodesFormat Format => Header.Format;

    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InputFileException">The path is a FIFO, device or directory.</exception>
    /// <exception cref="AudioCodesFormatException">The header or the file length is invalid.</exception>
    public static AudioCodesReader Open(string path)
    {
        var full = InputFile.RequireRegular(path, "codes file");
        var handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var length = RandomAccess.GetLength(handle);
            var head = new byte[AudioCodesFile.HeaderLength];
            var got = RandomAccess.Read(handle, head, 0);
            return new AudioCodesReader(full, handle, AudioCodesFile.DecodeHeader(head.AsSpan(0, got), length, full));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Frames [start, start + count) as one array per codebook.</summary>
    /// <exception cref="AudioCodesFormatException">A code is outside the codebook (names the codebook and frame).</exception>
    public int[][] ReadFrames(long start, int count)
    {
        if (start < 0 || count < 0 || start + count > Header.FrameCount)
            throw new ArgumentOutOfRangeException(nameof(start), $"frames {start}..{start + count} are outside the {Header.FrameCount} frames of '{Path}'");
        var k = Format.Codebooks;
        var codes = Enumerable.Range(0, k).Select(_ => new int[count]).ToArray();
        // A few MB per read keeps memory bounded for long files.
        var framesPerRead = Math.Max(1, (1 << 22) / (k * AudioCodesFile.BytesPerCode));
        var buffer = new byte[Math.Min(count, framesPerRead) * k * AudioCodesFile.BytesPerCode];
        for (var done = 0; done < count;)
        {
            var n = Math.Min(framesPerRead, count - done);
            var bytes = buffer.AsSpan(0, n * k * AudioCodesFile.BytesPerCode);
            var offset = AudioCodesFile.HeaderLength + (start + done) * k * AudioCodesFile.BytesPerCode;
            var got = RandomAccess.Read(_handle, bytes, offset);
            if (got != bytes.Length)
                throw new AudioCodesFormatException(Path, $"the file ended while reading frame {start + done + got / (k * AudioCodesFile.BytesPerCode)} (was it shortened while being read?)");
            for (var f = 0; f < n; f++)
            {
                for (var q = 0; q < k; q++)
                {
                    int code = BinaryPrimitives.ReadUInt16LittleEndian(bytes[((f * k + q) * AudioCodesFile.BytesPerCode)..]);
                    if (code >= Format.CodebookSize)
                        throw new AudioCodesFormatException(Path,
                            $"codebook {q}, frame {start + done + f}: code {code} is outside the codebook (size {Format.CodebookSize})");
                    codes[q][done + f] = code;
                }
            }
            done += n;
        }
        return codes;
    }

    /// <summary>Every frame, one array per codebook.</summary>
    public int[][] ReadAll()
    {
        if (Header.FrameCount > Array.MaxLength)
            throw new AudioCodesFormatException(Path, $"{Header.FrameCount} frames do not fit one array; read them in ranges with ReadFrames");
        return ReadFrames(0, (int)Header.FrameCount);
    }

    public void Dispose() => _handle.Dispose();
}
