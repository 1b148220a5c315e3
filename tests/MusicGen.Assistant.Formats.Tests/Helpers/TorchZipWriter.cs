using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace MusicGen.Assistant.Formats.Tests.Helpers;

/// <summary>A member to write: its bytes, or (Data null) a run of Length zero bytes left as a sparse hole.</summary>
public sealed record ZipMember(string Name, byte[]? Data, long Length = -1, bool Deflate = false)
{
    public long Size => Data?.Length ?? Length;
}

/// <summary>
/// Writes zip archives the way torch.save does (stored members, data aligned to 64 bytes by a local extra field,
/// zip64 records when offsets or sizes pass 4 GiB), with switches for what torch never writes (forced zip64, deflate).
/// </summary>
public static class TorchZipWriter
{
    private const uint Saturated = uint.MaxValue;

    /// <summary>The members of an existing archive, read with System.IO.Compression (an independent reader).</summary>
    public static List<ZipMember> ReadMembers(string path)
    {
        using var archive = ZipFile.OpenRead(path);
        return archive.Entries.Select(e =>
        {
            using var stream = e.Open();
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return new ZipMember(e.FullName, buffer.ToArray());
        }).ToList();
    }

    public static void Write(string path, IEnumerable<ZipMember> members, bool forceZip64 = false)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
        var central = new List<(ZipMember Member, byte[] Name, uint Crc, long Compressed, long Offset)>();
        foreach (ZipMember member in members)
        {
            byte[] name = Encoding.UTF8.GetBytes(member.Name);
            byte[]? payload = member.Deflate ? Compress(member.Data!) : member.Data;
            long compressed = payload?.Length ?? member.Length;
            uint crc = member.Data is null ? 0 : TestCrc32.Compute(member.Data);
            long offset = file.Position;
            bool zip64 = forceZip64 || compressed >= Saturated || member.Size >= Saturated;

            byte[] zip64Extra = zip64 ? Zip64Extra(member.Size, compressed, null) : [];
            // Pad so the data starts on a 64-byte boundary, as PyTorchStreamWriter does with an "FB" extra field.
            int unpadded = 30 + name.Length + zip64Extra.Length + 4;
            int padding = (int)((64 - (offset + unpadded) % 64) % 64);
            var header = new byte[30];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0x04034b50);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(4), zip64 ? (ushort)45 : (ushort)20);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(8), member.Deflate ? (ushort)8 : (ushort)0);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(14), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(18), zip64 ? Saturated : (uint)compressed);
            BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(22), zip64 ? Saturated : (uint)member.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(26), (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(28), (ushort)(zip64Extra.Length + 4 + padding));
            file.Write(header);
            file.Write(name);
            file.Write(zip64Extra);
            var pad = new byte[4 + padding];
            BinaryPrimitives.WriteUInt16LittleEndian(pad, 0x4246);
            BinaryPrimitives.WriteUInt16LittleEndian(pad.AsSpan(2), (ushort)padding);
            file.Write(pad);
            if (payload is not null)
            {
                file.Write(payload);
            }
            else
            {
                file.SetLength(file.Position + compressed); // a hole: no disk blocks, reads as zeros
                file.Seek(compressed, SeekOrigin.Current);
            }
            central.Add((member, name, crc, compressed, offset));
        }

        long centralOffset = file.Position;
        foreach (var (member, name, crc, compressed, offset) in central)
        {
            bool zip64 = forceZip64 || compressed >= Saturated || member.Size >= Saturated || offset >= Saturated;
            byte[] extra = zip64 ? Zip64Extra(member.Size, compressed, offset) : [];
            var entry = new byte[46];
            BinaryPrimitives.WriteUInt32LittleEndian(entry, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(4), 45);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(6), zip64 ? (ushort)45 : (ushort)20);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(10), member.Deflate ? (ushort)8 : (ushort)0);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(16), crc);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(20), zip64 ? Saturated : (uint)compressed);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(24), zip64 ? Saturated : (uint)member.Size);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(28), (ushort)name.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(30), (ushort)extra.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(42), zip64 ? Saturated : (uint)offset);
            file.Write(entry);
            file.Write(name);
            file.Write(extra);
        }
        long centralSize = file.Position - centralOffset;

        bool zip64End = forceZip64 || centralOffset >= Saturated || central.Count >= ushort.MaxValue;
        if (zip64End)
        {
            long recordOffset = file.Position;
            var record = new byte[56];
            BinaryPrimitives.WriteUInt32LittleEndian(record, 0x06064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(4), 44);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(12), 45);
            BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(14), 45);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(24), (ulong)central.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(32), (ulong)central.Count);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(40), (ulong)centralSize);
            BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(48), (ulong)centralOffset);
            file.Write(record);
            var locator = new byte[20];
            BinaryPrimitives.WriteUInt32LittleEndian(locator, 0x07064b50);
            BinaryPrimitives.WriteUInt64LittleEndian(locator.AsSpan(8), (ulong)recordOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(locator.AsSpan(16), 1);
            file.Write(locator);
        }
        var end = new byte[22];
        BinaryPrimitives.WriteUInt32LittleEndian(end, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(8), zip64End ? ushort.MaxValue : (ushort)central.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(end.AsSpan(10), zip64End ? ushort.MaxValue : (ushort)central.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(12), zip64End ? Saturated : (uint)centralSize);
        BinaryPrimitives.WriteUInt32LittleEndian(end.AsSpan(16), zip64End ? Saturated : (uint)centralOffset);
        file.Write(end);
    }

    /// <summary>
    /// A torch-style checkpoint archive: "&lt;archive&gt;/data.pkl", one "&lt;archive&gt;/data/&lt;key&gt;" per storage, "&lt;archive&gt;/version".
    /// </summary>
    public static void WriteCheckpoint(string path, string archive, byte[] pickle, IEnumerable<(string Key, byte[] Data)> storages, bool forceZip64 = false)
    {
        var members = new List<ZipMember> { new($"{archive}/data.pkl", pickle) };
        members.AddRange(storages.Select(s => new ZipMember($"{archive}/data/{s.Key}", s.Data)));
        members.Add(new ZipMember($"{archive}/version", Encoding.ASCII.GetBytes("3\n")));
        Write(path, members, forceZip64);
    }

    // Values in the order the spec fixes: uncompressed size, compressed size, local header offset (central only).
    private static byte[] Zip64Extra(long uncompressed, long compressed, long? offset)
    {
        int fields = offset is null ? 2 : 3;
        var extra = new byte[4 + 8 * fields];
        BinaryPrimitives.WriteUInt16LittleEndian(extra, 0x0001);
        BinaryPrimitives.WriteUInt16LittleEndian(extra.AsSpan(2), (ushort)(8 * fields));
        BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(4), (ulong)uncompressed);
        BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(12), (ulong)compressed);
        if (offset is long value)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(extra.AsSpan(20), (ulong)value);
        }
        return extra;
    }

    private static byte[] Compress(byte[] data)
    {
        var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(data);
        }
        return buffer.ToArray();
    }
}

/// <summary>The zip CRC-32, so hand-built archives carry the checksums a reader verifies.</summary>
public static class TestCrc32
{
    private static readonly uint[] Table = Enumerable.Range(0, 256).Select(n =>
    {
        uint c = (uint)n;
        for (int k = 0; k < 8; k++)
        {
            c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        }
        return c;
    }).ToArray();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return ~crc;
    }
}
