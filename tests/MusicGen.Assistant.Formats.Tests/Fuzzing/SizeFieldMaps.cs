using System.Buffers.Binary;
using MusicGen.Assistant.Testing.Fuzzing;

namespace MusicGen.Assistant.Formats.Tests.Fuzzing;

/// <summary>Where the counts and lengths of valid files lie, so the mutations can aim huge values at them.</summary>
internal static class SizeFieldMaps
{
    /// <summary>Every count, length, type id, dimension and offset of a valid GGUF file, walked from the specification.</summary>
    public static List<SizeField> Gguf(byte[] file)
    {
        var fields = new List<SizeField> { new(8, 8, "tensor_count"), new(16, 8, "kv_count") };
        long tensors = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(8)), kvs = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(16));
        var at = 24;
        void Str(string what)
        {
            fields.Add(new(at, 8, what + " length"));
            at += 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(at));
        }
        void Value(uint type, string what)
        {
            switch (type)
            {
                case 0 or 1 or 7: at += 1; break;
                case 2 or 3: at += 2; break;
                case 4 or 5 or 6: at += 4; break;
                case 10 or 11 or 12: at += 8; break;
                case 8: Str(what); break;
                case 9:
                    fields.Add(new(at, 4, what + " element type"));
                    var elementType = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
                    fields.Add(new(at + 4, 8, what + " array length"));
                    var count = BinaryPrimitives.ReadInt64LittleEndian(file.AsSpan(at + 4));
                    at += 12;
                    for (var i = 0; i < count; i++) Value(elementType, what + " element");
                    break;
            }
        }
        for (var i = 0; i < kvs; i++)
        {
            Str($"key {i}");
            fields.Add(new(at, 4, $"key {i} type"));
            var type = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
            at += 4;
            Value(type, $"key {i}");
        }
        for (var i = 0; i < tensors; i++)
        {
            Str($"tensor {i} name");
            fields.Add(new(at, 4, $"tensor {i} n_dims"));
            var dims = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(at));
            at += 4;
            for (var d = 0; d < dims; d++, at += 8) fields.Add(new(at, 8, $"tensor {i} ne[{d}]"));
            fields.Add(new(at, 4, $"tensor {i} type"));
            fields.Add(new(at + 4, 8, $"tensor {i} offset"));
            at += 12;
        }
        return fields;
    }

    /// <summary>The header length of a safetensors file.</summary>
    public static List<SizeField> Safetensors() => [new(0, 8, "header length"), new(4, 4, "header length (high half)")];

    /// <summary>The header fields of a .codes file (see AudioCodesFile).</summary>
    public static List<SizeField> Codes() =>
    [
        new(8, 2, "version"), new(10, 2, "header length"), new(12, 4, "sample rate"), new(16, 4, "frame rate numerator"),
        new(20, 4, "frame rate denominator"), new(24, 4, "hop length"), new(28, 4, "codebook size"), new(32, 2, "codebooks"),
        new(34, 2, "channels"), new(36, 4, "flags"), new(40, 8, "sample count"), new(48, 8, "frame count"), new(56, 8, "reserved"),
    ];

    /// <summary>The zip records of a torch.save archive: every local header's and central entry's sizes and offsets.</summary>
    public static List<SizeField> Zip(byte[] file)
    {
        var fields = new List<SizeField>();
        for (var i = 0; i + 4 <= file.Length; i++)
        {
            var signature = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(i));
            if (signature == 0x04034b50 && i + 30 <= file.Length)
                fields.AddRange([new(i + 18, 4, "local compressed size"), new(i + 22, 4, "local size"), new(i + 26, 2, "local name length"), new(i + 28, 2, "local extra length")]);
            else if (signature == 0x02014b50 && i + 46 <= file.Length)
                fields.AddRange([new(i + 20, 4, "central compressed size"), new(i + 24, 4, "central size"), new(i + 28, 2, "central name length"),
                    new(i + 30, 2, "central extra length"), new(i + 42, 4, "central local offset")]);
            else if (signature == 0x06054b50 && i + 22 <= file.Length)
                fields.AddRange([new(i + 8, 2, "entries on disk"), new(i + 10, 2, "entries"), new(i + 12, 4, "directory size"), new(i + 16, 4, "directory offset")]);
        }
        return fields;
    }
}
