using System.Runtime.InteropServices;

namespace MusicGen.Assistant.Native.Files;

// FileKind (what a path names) is declared once, in FileStatus.cs

/// <summary>A user-given input path names something other than a regular file (a FIFO, a device, a directory...).</summary>
public sealed class InputFileException(string path, string message) : IOException(message)
{
    public string Path { get; } = path;
}

/// <summary>
/// The one check every reader of a user-given input path makes before opening it: the path must name a regular file.
/// Opening a FIFO blocks until a writer appears, and a character device (/dev/zero, /dev/urandom) never ends, so
/// either would hang a reader or feed it without limit; a directory cannot be read at all. The file type comes from
/// stat(2) through the runtime's own System.Native shim (its FileStatus starts with Flags, Mode on every platform),
/// so nothing is opened to find out.
/// </summary>
public static partial class InputFile
{
    // PAL_S_IF* of System.Native (the POSIX values, the same on every platform .NET runs on)
    private const int TypeMask = 0xF000, Fifo = 0x1000, Character = 0x2000, DirectoryBit = 0x4000, Block = 0x6000,
        RegularBit = 0x8000, SocketBit = 0xC000;

    private static bool _statUnavailable;

    /// <summary>
    /// Returns the full path of <paramref name="path"/> when it names an existing regular file (links followed);
    /// otherwise throws naming the path, what it is and <paramref name="what"/> ("WAV file", "config.json", ...).
    /// </summary>
    /// <exception cref="FileNotFoundException">Nothing exists at the path.</exception>
    /// <exception cref="InputFileException">The path names a directory, FIFO, device or socket.</exception>
    public static string RequireRegular(string path, string what = "input file")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var kind = KindOf(full);
        return kind switch
        {
            FileKind.Regular => full,
            FileKind.Missing => throw new FileNotFoundException($"{what} '{path}' does not exist", full),
            _ => throw new InputFileException(full,
                $"{what} '{path}' is {Describe(kind)}, not a regular file; give the path of a file on disk" +
                (kind is FileKind.Fifo or FileKind.CharacterDevice or FileKind.Socket ? " (reading it could block forever or never end)" : "")),
        };
    }

    /// <summary>Largest text file (config, manifest, prompt list) read whole by default: 64 MiB.</summary>
    public const long DefaultMaxTextBytes = 64L << 20;

    /// <summary>
    /// The whole of a small text file, decoded as strict UTF-8 (a leading BOM skipped), after the regular-file check;
    /// memory is bounded by <paramref name="maxBytes"/>.
    /// </summary>
    /// <exception cref="InputFileException">Not a regular file, or longer than <paramref name="maxBytes"/>.</exception>
    /// <exception cref="InvalidDataException">The bytes are not UTF-8 (the message names the file and the byte offset).</exception>
    public static string ReadAllText(string path, string what, long maxBytes = DefaultMaxTextBytes)
    {
        var full = RequireRegular(path, what);
        byte[] bytes;
        using (var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1))
        {
            if (stream.Length > maxBytes)
                throw new InputFileException(full, $"{what} '{path}' is {stream.Length} bytes; at most {maxBytes} are read as {what}");
            bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
        }
        ReadOnlySpan<byte> text = bytes;
        if (text.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF])) text = text[3..];
        var chars = new char[text.Length];
        var status = System.Text.Unicode.Utf8.ToUtf16(text, chars, out var read, out var written, replaceInvalidSequences: false);
        if (status != System.Buffers.OperationStatus.Done)
            throw new InvalidDataException($"{what} '{path}' is not valid UTF-8 text (invalid byte 0x{text[read]:X2} at byte offset {read + bytes.Length - text.Length})");
        return new string(chars, 0, written);
    }

    /// <summary>What <paramref name="path"/> names (links followed); <see cref="FileKind.Missing"/> when nothing is there.</summary>
    public static FileKind KindOf(string path)
    {
        if (!_statUnavailable)
        {
            try
            {
                var status = new FileStatusBuffer();
                if (SystemNativeStat(path, ref status) != 0)
                    return File.Exists(path) || Directory.Exists(path) ? FileKind.Other : FileKind.Missing;
                return (status.Mode & TypeMask) switch
                {
                    RegularBit => FileKind.Regular,
                    DirectoryBit => FileKind.Directory,
                    Fifo => FileKind.Fifo,
                    Character => FileKind.CharacterDevice,
                    Block => FileKind.BlockDevice,
                    SocketBit => FileKind.Socket,
                    _ => FileKind.Other,
                };
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                _statUnavailable = true; // a runtime without the shim (not one .NET ships on Linux): directories only
            }
        }
        if (Directory.Exists(path)) return FileKind.Directory;
        return File.Exists(path) ? FileKind.Regular : FileKind.Missing;
    }

    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        FileKind.Regular => "a regular file",
        _ => "not a regular file",
    };

    // System.Native's FileStatus: int32 Flags, int32 Mode, then ids, sizes and times; 256 bytes leave room for growth.
    [StructLayout(LayoutKind.Sequential, Size = 256)]
    private struct FileStatusBuffer
    {
        public int Flags;
        public int Mode;
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SystemNativeStat(string path, ref FileStatusBuffer status);
}
