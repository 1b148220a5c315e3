using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// A pickle virtual machine for the opcodes torch.save emits (protocol 2, plus the few binary opcodes of protocols 3-4
/// a pickle_protocol argument can add). Globals go through <see cref="TorchGlobals"/>'s closed list and are refused
/// by name when read; persistent ids (storages) are handed to a callback. Text-protocol opcodes are refused.
/// </summary>
internal sealed class PickleMachine
{
    private readonly string _filePath;
    private readonly string _entryName;
    private readonly byte[] _data;
    private readonly Func<PickleTuple, object> _persistentLoad;
    private readonly List<object?> _stack = [];
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private int _opStart;
    private byte _opcode;

    private PickleMachine(string filePath, string entryName, byte[] data, Func<PickleTuple, object> persistentLoad)
    {
        _filePath = filePath;
        _entryName = entryName;
        _data = data;
        _persistentLoad = persistentLoad;
    }

    /// <summary>Runs <paramref name="data"/> to its STOP opcode and returns the object it built.</summary>
    /// <exception cref="PyTorchUnsafePickleException">The pickle names a global outside the allowed list.</exception>
    /// <exception cref="PyTorchFormatException">The pickle is malformed or uses an unsupported opcode.</exception>
    public static object? Run(string filePath, string entryName, byte[] data, Func<PickleTuple, object> persistentLoad) =>
        new PickleMachine(filePath, entryName, data, persistentLoad).Run();

    private object? Run()
    {
        while (true)
        {
            if (_position >= _data.Length)
            {
                throw Error($"the pickle ends after {_data.Length} bytes without a STOP opcode (truncated or damaged).", atEnd: true);
            }
            _opStart = _position;
            _opcode = _data[_position++];
            try
            {
                if (Step())
                {
                    return Pop(); // as Python's unpickler: the value on top, whatever lies beneath
                }
            }
            catch (InvalidDataException e)
            {
                throw Error(e.Message);
            }
        }
    }

    /// <summary>Executes one opcode; true at STOP.</summary>
    private bool Step()
    {
        switch (_opcode)
        {
            case 0x80: // PROTO
                byte protocol = Bytes(1)[0];
                if (protocol is < 2 or > 5)
                {
                    throw new InvalidDataException($"pickle protocol {protocol} is not supported (torch.save writes protocol 2).");
                }
                break;
            case 0x95: Bytes(8); break; // FRAME: a length hint only
            case (byte)'.': return true; // STOP
            case (byte)'(': _marks.Push(_stack.Count); break; // MARK
            case (byte)'0': Pop(); break; // POP
            case (byte)'1': PopMark(); break; // POP_MARK
            case (byte)'2': Push(Peek()); break; // DUP
            case (byte)'N': Push(null); break; // NONE
            case 0x88: Push(true); break; // NEWTRUE
            case 0x89: Push(false); break; // NEWFALSE
            case (byte)'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(Bytes(4))); break; // BININT
            case (byte)'K': Push((long)Bytes(1)[0]); break; // BININT1
            case (byte)'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(Bytes(2))); break; // BININT2
            case 0x8a: Push(LittleEndianInteger(Bytes(Bytes(1)[0]))); break; // LONG1
            case 0x8b: Push(LittleEndianInteger(Bytes(Length(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4)))))); break; // LONG4
            case (byte)'G': Push(BinaryPrimitives.ReadDoubleBigEndian(Bytes(8))); break; // BINFLOAT
            case (byte)'X': Push(Utf8(Bytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))))); break; // BINUNICODE
            case 0x8c: Push(Utf8(Bytes(Bytes(1)[0]))); break; // SHORT_BINUNICODE
            case 0x8d: Push(Utf8(Bytes(Length(BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8)))))); break; // BINUNICODE8
            case (byte)'T': Push(Utf8(Bytes(Length(BinaryPrimitives.ReadInt32LittleEndian(Bytes(4)))))); break; // BINSTRING (torch.load decodes as utf-8)
            case (byte)'U': Push(Utf8(Bytes(Bytes(1)[0]))); break; // SHORT_BINSTRING
            case (byte)'B': Push(Bytes(Length(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))).ToArray()); break; // BINBYTES
            case (byte)'C': Push(Bytes(Bytes(1)[0]).ToArray()); break; // SHORT_BINBYTES
            case 0x8e: Push(Bytes(Length(BinaryPrimitives.ReadUInt64LittleEndian(Bytes(8)))).ToArray()); break; // BINBYTES8
            case (byte)')': Push(PickleTuple.Empty); break; // EMPTY_TUPLE
            case (byte)'t': Push(new PickleTuple(PopMark().ToArray())); break; // TUPLE
            case 0x85: Push(new PickleTuple([Pop()])); break; // TUPLE1
            case 0x86: { object? b = Pop(), a = Pop(); Push(new PickleTuple([a, b])); break; } // TUPLE2
            case 0x87: { object? c = Pop(), b = Pop(), a = Pop(); Push(new PickleTuple([a, b, c])); break; } // TUPLE3
            case (byte)']': Push(new List<object?>()); break; // EMPTY_LIST
            case (byte)'l': Push(PopMark()); break; // LIST
            case (byte)'a': { object? item = Pop(); ListOnTop().Add(item); break; } // APPEND
            case (byte)'e': { List<object?> items = PopMark(); ListOnTop().AddRange(items); break; } // APPENDS
            case (byte)'}': Push(new PickleDict("dict")); break; // EMPTY_DICT
            case (byte)'d': { var dict = new PickleDict("dict"); SetItems(dict, PopMark()); Push(dict); break; } // DICT
            case (byte)'s': { object? value = Pop(), key = Pop(); SetItems(DictOnTop(), [key, value]); break; } // SETITEM
            case (byte)'u': { List<object?> items = PopMark(); SetItems(DictOnTop(), items); break; } // SETITEMS
            case (byte)'c': Push(Global(Line(), Line())); break; // GLOBAL
            case 0x93: { object? name = Pop(), module = Pop(); Push(Global(AsText(module, "module"), AsText(name, "name"))); break; } // STACK_GLOBAL
            case (byte)'R': Reduce(); break; // REDUCE
            case 0x81: NewObject(); break; // NEWOBJ
            case (byte)'b': Build(); break; // BUILD
            case (byte)'Q': PersistentLoad(); break; // BINPERSID
            case (byte)'q': _memo[Bytes(1)[0]] = Peek(); break; // BINPUT
            case (byte)'r': _memo[BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4))] = Peek(); break; // LONG_BINPUT
            case 0x94: _memo[_memo.Count] = Peek(); break; // MEMOIZE
            case (byte)'h': Push(MemoGet(Bytes(1)[0])); break; // BINGET
            case (byte)'j': Push(MemoGet(BinaryPrimitives.ReadUInt32LittleEndian(Bytes(4)))); break; // LONG_BINGET
            default:
                throw new InvalidDataException(
                    $"opcode 0x{_opcode:x2}{(_opcode is >= 0x20 and < 0x7f ? $" ('{(char)_opcode}')" : "")} is not one a torch checkpoint uses " +
                    "(text-protocol, set, extension-registry and out-of-band opcodes are refused).");
        }
        return false;
    }

    private PickleGlobal Global(string module, string name)
    {
        PickleGlobal? global = TorchGlobals.Resolve(module, name);
        if (global is null)
        {
            string full = module + "." + name;
            throw new PyTorchUnsafePickleException(_filePath, Where(), full, TorchGlobals.RefusalReason(full));
        }
        return global;
    }

    private void Reduce()
    {
        object? args = Pop(), callable = Pop();
        if (callable is not PickleGlobal function)
        {
            throw new InvalidDataException($"REDUCE calls a {PickleText.TypeOf(callable)}, which is not a function.");
        }
        if (args is not PickleTuple tuple)
        {
            throw new InvalidDataException($"REDUCE of {function.FullName} has arguments of type {PickleText.TypeOf(args)}, expected a tuple.");
        }
        Push(TorchGlobals.Call(function, tuple));
    }

    private void NewObject()
    {
        object? args = Pop(), type = Pop();
        if (type is not PickleGlobal cls || args is not PickleTuple tuple)
        {
            throw new InvalidDataException($"NEWOBJ expects a class and a tuple, got {PickleText.TypeOf(type)} and {PickleText.TypeOf(args)}.");
        }
        Push(TorchGlobals.NewObject(cls, tuple));
    }

    private void Build()
    {
        object? state = Pop();
        switch (Peek())
        {
            case PickleObject obj:
                obj.State = state;
                break;
            case PickleDict dict:
                dict.Attributes = state;
                break;
            case TorchTensorView:
                break; // tensor __setstate__ carries python attributes only, never values
            case var other:
                throw new InvalidDataException($"BUILD on a {PickleText.TypeOf(other)}, which has no state to set.");
        }
    }

    private void PersistentLoad()
    {
        object? pid = Pop();
        if (pid is not PickleTuple tuple)
        {
            throw new InvalidDataException($"persistent id is a {PickleText.TypeOf(pid)}, expected a tuple ('storage', type, key, location, numel).");
        }
        Push(_persistentLoad(tuple));
    }

    private static void SetItems(PickleDict dict, List<object?> items)
    {
        if (items.Count % 2 != 0)
        {
            throw new InvalidDataException($"SETITEMS has {items.Count} values, not key/value pairs.");
        }
        for (int i = 0; i < items.Count; i += 2)
        {
            object? key = items[i];
            if (key is null || !PickleKeyComparer.IsHashable(key))
            {
                throw new InvalidDataException($"dictionary key {PickleText.Describe(key)} of type {PickleText.TypeOf(key)} is not supported.");
            }
            dict.Set(key, items[i + 1]);
        }
    }

    private List<object?> ListOnTop() =>
        Peek() as List<object?> ?? throw new InvalidDataException($"APPEND to a {PickleText.TypeOf(Peek())}, expected a list.");

    private PickleDict DictOnTop() =>
        Peek() as PickleDict ?? throw new InvalidDataException($"SETITEM on a {PickleText.TypeOf(Peek())}, expected a dict.");

    private object? MemoGet(long index) =>
        _memo.TryGetValue(index, out object? value) ? value : throw new InvalidDataException($"memo slot {index} is read before it is written.");

    private void Push(object? value) => _stack.Add(value);

    private object? Peek()
    {
        int floor = _marks.Count > 0 ? _marks.Peek() : 0;
        return _stack.Count > floor ? _stack[^1] : throw new InvalidDataException("the opcode needs a value but the stack (above the last mark) is empty.");
    }

    private object? Pop()
    {
        object? value = Peek();
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private List<object?> PopMark()
    {
        if (_marks.Count == 0)
        {
            throw new InvalidDataException("the opcode needs a MARK but none is open.");
        }
        int start = _marks.Pop();
        List<object?> items = _stack.GetRange(start, _stack.Count - start);
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private ReadOnlySpan<byte> Bytes(int count)
    {
        if (count > _data.Length - _position)
        {
            throw new InvalidDataException($"the opcode needs {count} more bytes but the pickle ends after {_data.Length - _position} (truncated or damaged).");
        }
        var span = new ReadOnlySpan<byte>(_data, _position, count);
        _position += count;
        return span;
    }

    private static int Length(long length) =>
        length is >= 0 and <= int.MaxValue ? (int)length : throw new InvalidDataException($"length {length} is absurd (damaged pickle).");

    private static int Length(ulong length) => length <= int.MaxValue ? (int)length : throw new InvalidDataException($"length {length} is absurd (damaged pickle).");

    private string Line()
    {
        int end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0 || end - _position > 1024)
        {
            throw new InvalidDataException("GLOBAL's module or name is not a newline-terminated line (damaged pickle).");
        }
        string text = Encoding.ASCII.GetString(_data, _position, end - _position);
        _position = end + 1;
        return text;
    }

    private static string AsText(object? value, string what) =>
        value as string ?? throw new InvalidDataException($"STACK_GLOBAL's {what} is a {PickleText.TypeOf(value)}, expected a str.");

    private static string Utf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException("a string is not valid UTF-8 (damaged pickle).");
        }
    }

    /// <summary>LONG1/LONG4 payload: little-endian two's complement; a long when it fits.</summary>
    private static object LittleEndianInteger(ReadOnlySpan<byte> bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;
    }

    private string Where() => $"{_entryName} offset {_opStart} (opcode 0x{_opcode:x2})";

    private PyTorchFormatException Error(string problem, bool atEnd = false) =>
        new(_filePath, atEnd ? _entryName : Where(), problem);
}
