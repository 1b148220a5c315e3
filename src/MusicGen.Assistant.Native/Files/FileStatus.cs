using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Files;

/// <summary>What kind of file system object a path names (after following symbolic links).</summary>
public enum FileKind { Missing, Regular, Directory, CharacterDevice, BlockDevice, Fifo, Socket, Other }

/// <summary>A file's identity: two paths name the same file exactly when device and inode are equal.</summary>
public readonly record struct FileIdentity(ulong Device, ulong Inode);

/// <summary>
/// stat(2) of a path, following symbolic links: its <see cref="FileKind"/> and its device + inode identity. .NET has
/// no public API for either (FileAttributes says nothing of devices or FIFOs), and telling a FIFO or /dev/null from a
/// file must not open it: opening a FIFO blocks and writing a device is not undoable. Linux on x64 and arm64, whose
/// struct stat starts with st_dev and st_ino; elsewhere only folders and files are told apart, without identity.
/// </summary>
public readonly record struct FileStatus(FileKind Kind, FileIdentity? Identity)
{
    private const int BufferSize = 256; // struct stat is 144 bytes on x86_64, 128 on aarch64
    private const int ENOENT = 2, ENOTDIR = 20;
    private const uint S_IFMT = 0xF000, S_IFSOCK = 0xC000, S_IFREG = 0x8000, S_IFBLK = 0x6000, S_IFDIR = 0x4000,
        S_IFCHR = 0x2000, S_IFIFO = 0x1000;

    public bool Exists => Kind != FileKind.Missing;

    /// <summary>The status of <paramref name="path"/>; a path that does not exist (or whose folder does not) is Missing.</summary>
    /// <exception cref="IOException">stat failed for another reason (e.g. permission denied on a folder).</exception>
    public static FileStatus Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (ModeOffset() is not { } modeOffset) return Managed(path);
        Span<byte> buffer = stackalloc byte[BufferSize];
        int result;
        unsafe
        {
            fixed (byte* p = buffer) result = Stat(path, p);
        }
        if (result != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno is ENOENT or ENOTDIR) return new FileStatus(FileKind.Missing, null);
            throw new IOException($"cannot look at '{path}': {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        var device = MemoryMarshal.Read<ulong>(buffer);
        var inode = MemoryMarshal.Read<ulong>(buffer[8..]);
        var mode = MemoryMarshal.Read<uint>(buffer[modeOffset..]);
        return new FileStatus(KindOf(mode), new FileIdentity(device, inode));
    }

    /// <summary>A word for the kind, for messages ("a character device").</summary>
    public static string Describe(FileKind kind) => kind switch
    {
        FileKind.Regular => "a regular file",
        FileKind.Directory => "a folder",
        FileKind.CharacterDevice => "a character device",
        FileKind.BlockDevice => "a block device",
        FileKind.Fifo => "a FIFO (named pipe)",
        FileKind.Socket => "a socket",
        FileKind.Missing => "missing",
        _ => "not a regular file",
    };

    private static unsafe int Stat(string path, byte* buffer)
    {
        try { return LibC.stat(path, buffer); }
        catch (EntryPointNotFoundException)
        {
            // glibc before 2.33: stat is a macro over __xstat(_STAT_VER, ...): 1 on x86_64, 0 on aarch64
            return LibC.xstat(RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 1 : 0, path, buffer);
        }
    }

    // st_mode follows st_dev, st_ino and (x86_64 only) the 8-byte st_nlink
    private static int? ModeOffset() =>
        !OperatingSystem.IsLinux() ? null
        : RuntimeInformation.ProcessArchitecture switch { Architecture.X64 => 24, Architecture.Arm64 => 16, _ => null };

    private static FileKind KindOf(uint mode) => (mode & S_IFMT) switch
    {
        S_IFREG => FileKind.Regular,
        S_IFDIR => FileKind.Directory,
        S_IFCHR => FileKind.CharacterDevice,
        S_IFBLK => FileKind.BlockDevice,
        S_IFIFO => FileKind.Fifo,
        S_IFSOCK => FileKind.Socket,
        _ => FileKind.Other,
    };

    private static FileStatus Managed(string path) =>
        Directory.Exists(path) ? new FileStatus(FileKind.Directory, null)
        : File.Exists(path) ? new FileStatus(FileKind.Regular, null)
        : new FileStatus(FileKind.Missing, null);
}
