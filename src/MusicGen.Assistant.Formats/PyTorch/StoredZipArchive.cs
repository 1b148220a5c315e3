using System.Buffers.Binary;
using System.Text;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// The central directory of a memory-mapped zip archive, zip64 included, read without touching member data.
/// Members must be stored (uncompressed), as torch.save writes them, so each is a plain byte range of the file
/// and can be read in place: a 30 GB checkpoint is never copied, only the pages of the tensors read are faulted in.
/// </summary>
internal sealed class StoredZipArchive
{
    private const uint EndOfCentralDirectorySignature = 0x06054b50;
    private const uint Zip64LocatorSignature = 0x07064b50;
    private const uint Zip64EndOfCentralDirectorySignature = 0x06064b50;
    private const uint CentralEntrySignature = 0x02014b50;
    private const uint LocalHeaderSignature = 0x04034b50;
    private const int EndOfCentralDirectorySize = 22;
    private const int Zip64LocatorSize = 20;
    private const int Zip64EndOfCentralDirectorySize = 56;
    private const int CentralEntrySize = 46;
    private const int LocalHeaderSize = 30;
    private const ushort Zip64ExtraId = 0x0001;

    private readonly MappedFile _file;
    private readonly Dictionary<string, ZipEntry> _byName;

    private StoredZipArchive(MappedFile file, List<ZipEntry> entries, long centralDirectoryOffset)
    {
        _file = file;
        Entries = entries;
        CentralDirectoryOffset = centralDirectoryOffset;
        _byName = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        foreach (ZipEntry entry in entries)
        {
            if (!_byName.TryAdd(entry.Name, entry))
            {
                throw Error($"zip entry '{entry.Name}'", "the central directory lists this name twice.");
            }
        }
    }

    public string Path => _file.Path;

    /// <summary>Members in central-directory order.</summary>
    public IReadOnlyList<ZipEntry> Entries { get; }

    /// <summary>Where the central directory starts; member data must lie before it.</summary>
    public long CentralDirectoryOffset { get; }

    public bool TryGet(string name, out ZipEntry entry) => _byName.TryGetValue(name, out entry!);

    /// <summary>Reads the end records and the central directory of <paramref name="file"/>.</summary>
    public static StoredZipArchive Read(MappedFile file)
    {
        long eocd = FindEndOfCentralDirectory(file);
        ReadOnlySpan<byte> end = file.Slice(eocd, EndOfCentralDirectorySize, "the end-of-central-directory record");
        ushort disk = U16(end, 4), centralDisk = U16(end, 6);
        long entryCount = U16(end, 10);
        long centralSize = U32(end, 12);
        long centralOffset = U32(end, 16);
        long directoryEnd = eocd;

        if (eocd >= Zip64LocatorSize && U32(file.Slice(eocd - Zip64LocatorSize, 4, "zip64 locator"), 0) == Zip64LocatorSignature)
        {
            ReadOnlySpan<byte> locator = file.Slice(eocd - Zip64LocatorSize, Zip64LocatorSize, "the zip64 locator");
            long recordOffset = I64(locator, 8, file, "zip64 end-record offset");
            if (recordOffset < 0 || recordOffset > eocd - Zip64LocatorSize - Zip64EndOfCentralDirectorySize)
            {
                throw new PyTorchFormatException(file.Path, "zip64 locator",
                    $"points at offset {recordOffset}, outside the file before the locator (damaged or truncated archive).");
            }
            ReadOnlySpan<byte> record = file.Slice(recordOffset, Zip64EndOfCentralDirectorySize, "the zip64 end record");
            if (U32(record, 0) != Zip64EndOfCentralDirectorySignature)
            {
                throw new PyTorchFormatException(file.Path, $"zip64 end record at offset {recordOffset}",
                    $"signature is 0x{U32(record, 0):x8}, expected 0x{Zip64EndOfCentralDirectorySignature:x8} (damaged archive).");
            }
            disk = (ushort)Math.Min(U32(record, 16), ushort.MaxValue);
            centralDisk = (ushort)Math.Min(U32(record, 20), ushort.MaxValue);
            entryCount = I64(record, 32, file, "zip64 entry count");
            centralSize = I64(record, 40, file, "zip64 central directory size");
            centralOffset = I64(record, 48, file, "zip64 central directory offset");
            directoryEnd = recordOffset;
        }

        if (disk != 0 || centralDisk != 0)
        {
            throw new PyTorchFormatException(file.Path, null, "the archive spans several disks, which torch.save never writes.");
        }
        if (centralOffset < 0 || centralSize < 0 || centralOffset > directoryEnd - centralSize)
        {
            throw new PyTorchFormatException(file.Path, "central directory",
                $"claims {centralSize} bytes at offset {centralOffset}, but the end records start at {directoryEnd} " +
                "(the archive is truncated or its directory is damaged).");
        }
        if (entryCount < 0 || entryCount > centralSize / CentralEntrySize)
        {
            throw new PyTorchFormatException(file.Path, "central directory",
                $"claims {entryCount} entries, more than its {centralSize} bytes can hold (damaged archive).");
        }

        var entries = new List<ZipEntry>((int)entryCount);
        long position = centralOffset;
        long limit = centralOffset + centralSize;
        for (int index = 0; index < entryCount; index++)
        {
            entries.Add(ReadCentralEntry(file, index, ref position, limit));
        }
        return new StoredZipArchive(file, entries, centralOffset);
    }

    /// <summary>
    /// The member's bytes as a view into the mapping, after checking its local header: only stored, unencrypted members
    /// whose data lies before the central directory are accepted.
    /// </summary>
    public ReadOnlySpan<byte> GetData(ZipEntry entry) => _file.Slice(DataOffset(entry), entry.UncompressedSize, $"zip entry '{entry.Name}'");

    /// <summary>Absolute file offset of the member's first data byte.</summary>
    public long DataOffset(ZipEntry entry)
    {
        string part = $"zip entry '{entry.Name}'";
        if (entry.IsEncrypted)
        {
            throw Error(part, "the entry is encrypted; torch.save never encrypts.");
        }
        if (!entry.IsStored)
        {
            throw Error(part,
                $"the entry is compressed (method {entry.Method}{(entry.Method == 8 ? ", deflate" : "")}); torch.save stores entries " +
                "uncompressed, which is what lets tensors be read in place. Re-save the checkpoint with torch.save, or unzip and " +
                "re-zip it with 'zip -0'.");
        }
        if (entry.CompressedSize != entry.UncompressedSize)
        {
            throw Error(part, $"a stored entry has compressed size {entry.CompressedSize} but uncompressed size {entry.UncompressedSize}.");
        }
        long header = entry.LocalHeaderOffset;
        if (header < 0 || header > CentralDirectoryOffset - LocalHeaderSize)
        {
            throw Error(part, $"local header offset {header} is not before the central directory at {CentralDirectoryOffset} (damaged archive).");
        }
        ReadOnlySpan<byte> local = _file.Slice(header, LocalHeaderSize, part);
        if (U32(local, 0) != LocalHeaderSignature)
        {
            throw Error(part, $"no local header at offset {header} (found 0x{U32(local, 0):x8}, expected 0x{LocalHeaderSignature:x8}); damaged archive.");
        }
        int nameLength = U16(local, 26), extraLength = U16(local, 28);
        long dataOffset = header + LocalHeaderSize + nameLength + extraLength;
        if (dataOffset > CentralDirectoryOffset - entry.CompressedSize)
        {
            throw Error(part,
                $"its {entry.CompressedSize} data bytes at offset {dataOffset} run past the start of the central directory at " +
                $"{CentralDirectoryOffset} (damaged archive).");
        }
        string localName = DecodeName(_file.Slice(header + LocalHeaderSize, nameLength, part));
        if (!string.Equals(localName, entry.Name, StringComparison.Ordinal))
        {
            throw Error(part, $"the local header at offset {header} names '{localName}' instead (damaged archive).");
        }
        return dataOffset;
    }

    private static long FindEndOfCentralDirectory(MappedFile file)
    {
        if (file.Length < EndOfCentralDirectorySize)
        {
            throw new PyTorchFormatException(file.Path, null,
                $"file is {file.Length} bytes, too short for a zip archive (torch.save writes a zip file; the file may be truncated).");
        }
        // The record sits at the very end unless the archive has a comment (at most 65535 bytes).
        long last = file.Length - EndOfCentralDirectorySize;
        long first = Math.Max(0, last - ushort.MaxValue);
        ReadOnlySpan<byte> tail = file.Slice(first, file.Length - first, "the end of the file");
        for (long position = last; position >= first; position--)
        {
            ReadOnlySpan<byte> candidate = tail.Slice((int)(position - first));
            if (U32(candidate, 0) == EndOfCentralDirectorySignature && position + EndOfCentralDirectorySize + U16(candidate, 20) == file.Length)
            {
                return position;
            }
        }
        ReadOnlySpan<byte> start = file.Slice(0, Math.Min(file.Length, 4), "the file start");
        string hint = start.Length >= 2 && start[0] == 0x80 && start[1] <= 5
            ? " The file starts with a pickle: it is the legacy torch.save format (torch < 1.6 or _use_new_zipfile_serialization=False), which is not supported; re-save it with a current torch."
            : start.Length == 4 && U32(start, 0) == LocalHeaderSignature
                ? " The file starts like a zip archive, so it is probably truncated."
                : " The file is not a zip archive, or it is truncated.";
        throw new PyTorchFormatException(file.Path, null, "no zip end-of-central-directory record at the end of the file." + hint);
    }

    private static ZipEntry ReadCentralEntry(MappedFile file, int index, ref long position, long limit)
    {
        string part = $"central directory entry {index} (offset {position})";
        if (position > limit - CentralEntrySize)
        {
            throw new PyTorchFormatException(file.Path, part, "runs past the end of the central directory (damaged archive).");
        }
        ReadOnlySpan<byte> fixedPart = file.Slice(position, CentralEntrySize, part);
        if (U32(fixedPart, 0) != CentralEntrySignature)
        {
            throw new PyTorchFormatException(file.Path, part,
                $"signature is 0x{U32(fixedPart, 0):x8}, expected 0x{CentralEntrySignature:x8} (damaged central directory).");
        }
        ushort flags = U16(fixedPart, 8), method = U16(fixedPart, 10);
        uint crc = U32(fixedPart, 16);
        long compressed = U32(fixedPart, 20), uncompressed = U32(fixedPart, 24);
        int nameLength = U16(fixedPart, 28), extraLength = U16(fixedPart, 30), commentLength = U16(fixedPart, 32);
        ushort diskStart = U16(fixedPart, 34);
        long localOffset = U32(fixedPart, 42);
        long variableLength = (long)nameLength + extraLength + commentLength;
        if (position + CentralEntrySize > limit - variableLength)
        {
            throw new PyTorchFormatException(file.Path, part, "its name and extra fields run past the end of the central directory (damaged archive).");
        }
        string name = DecodeName(file.Slice(position + CentralEntrySize, nameLength, part));
        ReadOnlySpan<byte> extra = file.Slice(position + CentralEntrySize + nameLength, extraLength, part);
        ApplyZip64Extra(file, $"zip entry '{name}'", extra, ref uncompressed, ref compressed, ref localOffset, ref diskStart);
        if (diskStart != 0)
        {
            throw new PyTorchFormatException(file.Path, $"zip entry '{name}'", $"starts on disk {diskStart}; multi-disk archives are not supported.");
        }
        position += CentralEntrySize + variableLength;
        return new ZipEntry(name, index, flags, method, crc, compressed, uncompressed, localOffset);
    }

    /// <summary>The zip64 extra field carries, in this order, each 32-bit field that was saturated to 0xFFFFFFFF.</summary>
    private static void ApplyZip64Extra(MappedFile file, string part, ReadOnlySpan<byte> extra,
        ref long uncompressed, ref long compressed, ref long localOffset, ref ushort diskStart)
    {
        bool needUncompressed = uncompressed == uint.MaxValue, needCompressed = compressed == uint.MaxValue;
        bool needOffset = localOffset == uint.MaxValue, needDisk = diskStart == ushort.MaxValue;
        if (!(needUncompressed || needCompressed || needOffset || needDisk))
        {
            return;
        }
        while (extra.Length >= 4)
        {
            ushort id = U16(extra, 0), size = U16(extra, 2);
            if (size > extra.Length - 4)
            {
                break;
            }
            if (id == Zip64ExtraId)
            {
                ReadOnlySpan<byte> field = extra.Slice(4, size);
                int at = 0;
                if (needUncompressed) uncompressed = NextZip64Value(file, part, field, ref at, "uncompressed size");
                if (needCompressed) compressed = NextZip64Value(file, part, field, ref at, "compressed size");
                if (needOffset) localOffset = NextZip64Value(file, part, field, ref at, "local header offset");
                if (needDisk) diskStart = at + 4 <= field.Length ? (ushort)Math.Min(U32(field, at), ushort.MaxValue) : ushort.MaxValue;
                return;
            }
            extra = extra.Slice(4 + size);
        }
        throw new PyTorchFormatException(file.Path, part, "sizes or offset are saturated to 0xFFFFFFFF but there is no zip64 extra field (damaged archive).");
    }

    private static long NextZip64Value(MappedFile file, string part, ReadOnlySpan<byte> field, ref int at, string what)
    {
        if (at + 8 > field.Length)
        {
            throw new PyTorchFormatException(file.Path, part, $"the zip64 extra field is too short to hold the {what}.");
        }
        long value = I64(field, at, file, $"zip64 {what}");
        at += 8;
        return value;
    }

    private static string DecodeName(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);

    private PyTorchFormatException Error(string part, string problem) => new(Path, part, problem);

    private static ushort U16(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(offset));

    private static uint U32(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(offset));

    private static long I64(ReadOnlySpan<byte> span, int offset, MappedFile file, string what)
    {
        ulong value = BinaryPrimitives.ReadUInt64LittleEndian(span.Slice(offset));
        if (value > long.MaxValue)
        {
            throw new PyTorchFormatException(file.Path, null, $"{what} {value} is absurd (damaged archive).");
        }
        return (long)value;
    }
}
