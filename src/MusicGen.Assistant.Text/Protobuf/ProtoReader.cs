using System.Buffers.Binary;
using System.Text;

namespace MusicGen.Assistant.Text.Protobuf;

/// <summary>
/// Minimal forward-only reader of the protobuf wire format over one message's bytes.
/// Every malformed input throws <see cref="TokenizerFormatException"/> naming the byte offset.
/// </summary>
internal ref struct ProtoReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly string _source;
    private readonly string _message;
    private readonly int _baseOffset;
    private int _position;

    public ProtoReader(ReadOnlySpan<byte> data, string source, string message, int baseOffset = 0)
    {
        _data = data;
        _source = source;
        _message = message;
        _baseOffset = baseOffset;
        _position = 0;
    }

    public bool AtEnd => _position >= _data.Length;

    /// <summary>Absolute offset (in the whole file) of the next byte.</summary>
    public int Offset => _baseOffset + _position;

    /// <summary>Reads the next tag; returns false at the end of the message.</summary>
    public bool TryReadTag(out int fieldNumber, out WireType wireType)
    {
        fieldNumber = 0;
        wireType = 0;
        if (AtEnd) return false;
        int tagOffset = Offset;
        ulong tag = ReadVarint();
        fieldNumber = (int)Math.Min(tag >> 3, int.MaxValue);
        int wire = (int)(tag & 7);
        if (fieldNumber == 0)
            throw Error(tagOffset, "field number 0 is not valid");
        if (wire > 5)
            throw Error(tagOffset, $"field {fieldNumber} has invalid wire type {wire}");
        wireType = (WireType)wire;
        if (wireType is WireType.StartGroup or WireType.EndGroup)
            throw Error(tagOffset, $"field {fieldNumber} uses the deprecated group wire type, which no sentencepiece message has");
        return true;
    }

    public ulong ReadVarint()
    {
        int start = Offset;
        ulong value = 0;
        for (int shift = 0; shift < 70; shift += 7)
        {
            if (AtEnd) throw Error(start, "varint runs past the end of the data (truncated file?)");
            byte b = _data[_position++];
            if (shift == 63 && b > 1) throw Error(start, "varint is longer than 64 bits");
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return value;
        }
        throw Error(start, "varint is longer than 10 bytes");
    }

    public uint ReadFixed32()
    {
        if (_data.Length - _position < 4) throw Error(Offset, "fixed32 runs past the end of the data (truncated file?)");
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_data.Slice(_position, 4));
        _position += 4;
        return v;
    }

    public float ReadFloat() => BitConverter.UInt32BitsToSingle(ReadFixed32());

    public int ReadInt32() => unchecked((int)ReadVarint());

    public bool ReadBool() => ReadVarint() != 0;

    /// <summary>Reads a length-delimited field and returns its bytes plus their absolute offset.</summary>
    public ReadOnlySpan<byte> ReadBytes(out int absoluteOffset)
    {
        int start = Offset;
        ulong length = ReadVarint();
        if (length > (ulong)(_data.Length - _position))
            throw Error(start, $"length-delimited field claims {length} bytes but only {_data.Length - _position} remain (truncated file?)");
        absoluteOffset = Offset;
        var slice = _data.Slice(_position, (int)length);
        _position += (int)length;
        return slice;
    }

    /// <summary>Reads a string field; the bytes must be valid UTF-8.</summary>
    public string ReadString(string fieldName)
    {
        var bytes = ReadBytes(out int at);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error(at, $"{fieldName} is not valid UTF-8");
        }
    }

    /// <summary>Skips a field of the given wire type that this reader does not interpret.</summary>
    public void Skip(WireType wireType)
    {
        switch (wireType)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed32: ReadFixed32(); break;
            case WireType.Fixed64:
                if (_data.Length - _position < 8) throw Error(Offset, "fixed64 runs past the end of the data (truncated file?)");
                _position += 8;
                break;
            case WireType.LengthDelimited: ReadBytes(out _); break;
            default: throw Error(Offset, $"cannot skip wire type {wireType}");
        }
    }

    /// <summary>Throws unless the wire type is the one the schema declares for the field.</summary>
    public void Expect(WireType actual, WireType expected, string fieldName)
    {
        if (actual != expected)
            throw Error(Offset, $"{fieldName} has wire type {actual}, expected {expected}");
    }

    public TokenizerFormatException Error(int offset, string problem) =>
        new(_source, $"not a valid sentencepiece model: {_message} at byte {offset}: {problem}");

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
