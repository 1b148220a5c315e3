using System.IO.MemoryMappedFiles;
using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Formats.Common;

/// <summary>
/// A whole file mapped read-only, with the base pointer acquired once so readers can hand out
/// spans into the mapping without copying (model files are multi-GB).
/// </summary>
/// <remarks>Spans obtained from <see cref="Slice"/> are only valid until <see cref="Dispose"/>.</remarks>
internal sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;
    private bool _disposed;

    private MappedFile(string path, long length, MemoryMappedFile? map, MemoryMappedViewAccessor? view, byte* pointer)
    {
        Path = path;
        Length = length;
        _map = map;
        _view = view;
        _pointer = pointer;
    }

    /// <summary>Absolute path of the mapped file.</summary>
    public string Path { get; }

    /// <summary>File length in bytes (the mapping may be larger because of page rounding).</summary>
    public long Length { get; }

    /// <summary>Maps <paramref name="path"/>; other processes may still read (but not write) the file.</summary>
    /// <param name="path">The file; a FIFO, device or directory is refused before anything is opened.</param>
    /// <param name="what">What the file should be ("GGUF file"), for the message when it is not a regular file.</param>
    public static MappedFile Open(string path, string what = "input file")
    {
        string fullPath = InputFile.RequireRegular(path, what);
        var stream = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            long length = stream.Length;
            if (length == 0)
            {
                // An empty file cannot be mapped; readers report it as too short.
                stream.Dispose();
                return new MappedFile(fullPath, 0, null, null, null);
            }

            map = MemoryMappedFile.CreateFromFile(stream, mapName: null, capacity: 0,
                MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
            view = map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            byte* pointer = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
            return new MappedFile(fullPath, length, map, view, pointer + view.PointerOffset);
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Base pointer of the mapping (null for an empty file).</summary>
    public byte* Pointer
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _pointer;
        }
    }

    /// <summary>
    /// A view of <paramref name="length"/> bytes at <paramref name="offset"/>; the caller has validated the range.
    /// <paramref name="what"/> names the region for the error raised when it exceeds what a span can address.
    /// </summary>
    public ReadOnlySpan<byte> Slice(long offset, long length, string what)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (offset < 0 || length < 0 || offset > Length - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset),
                $"Range [{offset}, {offset}+{length}) lies outside '{Path}' ({Length} bytes).");
        }
        if (length > int.MaxValue)
        {
            throw new NotSupportedException(
                $"{what} in '{Path}' is {length} bytes, more than one span can address (2 GiB).");
        }
        return length == 0 ? ReadOnlySpan<byte>.Empty : new ReadOnlySpan<byte>(_pointer + offset, (int)length);
    }

    /// <summary>
    /// Drops the pages wholly inside [offset, offset + length) from this process's resident set (madvise DONTNEED on
    /// the read-only file mapping: they stay in the page cache and fault back in if read again), so a loader that has
    /// copied a tensor to the backend does not hold the file and the copy in memory at once. Linux only; elsewhere a
    /// no-op.
    /// </summary>
    public void ReleasePages(long offset, long length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!OperatingSystem.IsLinux() || _pointer == null || offset < 0 || length <= 0 || offset > Length - length) return;
        var page = Environment.SystemPageSize;
        var start = ((long)(_pointer + offset) + page - 1) / page * page;
        var end = (long)(_pointer + offset + length) / page * page;
        if (end > start) _ = madvise((nint)start, (nuint)(end - start), 4); // MADV_DONTNEED
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int madvise(nint address, nuint length, int advice);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
        _pointer = null;
    }
}
