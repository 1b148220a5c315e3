using MusicGen.Assistant.Native;
using System.Text;

namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>
/// Streams a GGUF version 3 file: declare metadata and tensors, <see cref="WriteHeader"/>, then hand over each
/// tensor's bytes in declaration order (in one piece or in consecutive chunks), then <see cref="Finish"/>.
/// Only one tensor's data needs to be in memory at a time, so multi-GB models are written tensor by tensor.
/// </summary>
/// <remarks>
/// A writer created from a path writes "<c>path.partial</c>" and renames it to the path in <see cref="Finish"/>;
/// disposing an unfinished writer deletes the partial file, so an interrupted conversion never leaves a
/// truncated model behind (and an exception in the caller's code is not masked by one from Dispose).
/// </remarks>
public sealed class GgufWriter : IDisposable
{
    private enum State { Declaring, WritingData, Finished, Failed, Disposed }

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly string? _partialPath;
    private readonly List<(string Name, GgmlType Type, long[] Ne, long Bytes)> _declared = [];
    private readonly Dictionary<string, int> _indexByName = new(StringComparer.Ordinal);
    private List<GgufTensorInfo>? _tensors;
    private State _state = State.Declaring;
    private int _current;         // index of the tensor whose data comes next
    private long _currentWritten; // bytes of it written so far
    private static readonly byte[] Zeros = new byte[256];

    /// <summary>Writes to <paramref name="path"/> (via "<c>path.partial</c>", renamed on <see cref="Finish"/>).</summary>
    public GgufWriter(string path)
    {
        Destination = Path.GetFullPath(path);
        _partialPath = Destination + ".partial";
        _stream = new FileStream(_partialPath, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 20);
        Metadata = new GgufMetadata(Destination);
    }

    /// <summary>Writes to <paramref name="stream"/> (which need not be seekable).</summary>
    /// <param name="name">How messages refer to the output.</param>
    public GgufWriter(Stream stream, bool leaveOpen = false, string name = "(stream)")
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        Destination = name;
        Metadata = new GgufMetadata(name);
    }

    /// <summary>The output path (or stream name), as used in messages.</summary>
    public string Destination { get; }

    /// <summary>Metadata set so far, in insertion order (the order it is written in).</summary>
    public GgufMetadata Metadata { get; }

    /// <summary>"general.alignment" if set, else 32.</summary>
    public uint Alignment =>
        Metadata.TryGet(GgufConstants.AlignmentKey, out GgufValue value) ? value.AsUInt32() : GgufConstants.DefaultAlignment;

    /// <summary>Tensor layout, available once <see cref="WriteHeader"/> has run.</summary>
    public IReadOnlyList<GgufTensorInfo> Tensors =>
        _tensors ?? throw new InvalidOperationException($"Writing GGUF '{Destination}': tensor offsets are known only after WriteHeader.");

    /// <summary>Adds a key/value pair; the .NET type of the value picks the GGUF type (5u is UINT32, 5 is INT32).</summary>
    public void SetMetadata(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        Expect(State.Declaring, "metadata can only be set before WriteHeader");
        int keyBytes = GgufValueEncoder.StrictUtf8.GetByteCount(key);
        if (keyBytes == 0 || keyBytes > GgufConstants.MaxKeyBytes)
        {
            throw new ArgumentException($"Writing GGUF '{Destination}': metadata key '{key}' must be 1 to {GgufConstants.MaxKeyBytes} bytes.", nameof(key));
        }
        if (key == GgufConstants.AlignmentKey)
        {
            if (value.Type != GgufValueType.UINT32 || value.AsUInt32() == 0 || (value.AsUInt32() & (value.AsUInt32() - 1)) != 0)
            {
                throw new ArgumentException(
                    $"Writing GGUF '{Destination}': '{key}' must be a UINT32 power of two, not {value}.", nameof(value));
            }
        }
        GgufValueEncoder.Validate(value, key);
        if (!Metadata.TryAdd(key, value))
        {
            throw new ArgumentException(
                $"Writing GGUF '{Destination}': metadata key '{key}' is already set (to {Metadata.Get(key)}).", nameof(key));
        }
    }

    /// <summary>Declares a tensor whose byte size follows from its type and dimensions.</summary>
    public void AddTensor(string name, GgmlType type, long[] ne) => Declare(name, type, ne, byteLength: null);

    /// <summary>Declares a tensor; <paramref name="byteLength"/> must match its type and dimensions (ne[0] fastest).</summary>
    public void AddTensor(string name, GgmlType type, long[] ne, long byteLength) => Declare(name, type, ne, byteLength);

    private void Declare(string name, GgmlType type, long[] ne, long? byteLength)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(ne);
        Expect(State.Declaring, "tensors can only be added before WriteHeader");
        string prefix = $"Writing GGUF '{Destination}': tensor '{name}'";
        int nameBytes = Encoding.UTF8.GetByteCount(name);
        if (nameBytes == 0 || nameBytes > GgufConstants.MaxTensorNameBytes)
        {
            throw new ArgumentException($"{prefix}: the name must be 1 to {GgufConstants.MaxTensorNameBytes} bytes, not {nameBytes}.", nameof(name));
        }
        if (_indexByName.ContainsKey(name))
        {
            throw new ArgumentException($"{prefix} is already declared.", nameof(name));
        }
        if (ne.Length is 0 or > GgufConstants.MaxDimensions)
        {
            throw new ArgumentException($"{prefix}: {ne.Length} dimensions given; ggml supports 1 to {GgufConstants.MaxDimensions}.", nameof(ne));
        }
        if (!GgmlTypeInfo.TryGet((uint)type, out GgmlTypeInfo info))
        {
            throw new ArgumentOutOfRangeException(nameof(type), (uint)type, $"{prefix}: unknown ggml type id {(uint)type}.");
        }
        string? problem = info.CheckShape(ne, out long expected);
        if (problem is not null)
        {
            throw new ArgumentException($"{prefix}: {problem}.", nameof(ne));
        }
        if (byteLength is long given && given != expected)
        {
            throw new ArgumentException(
                $"{prefix}: {byteLength} bytes declared but {info.Name} with ne=[{string.Join(", ", ne)}] takes {expected}.", nameof(byteLength));
        }
        _indexByName.Add(name, _declared.Count);
        _declared.Add((name, type, (long[])ne.Clone(), expected));
    }

    /// <summary>Writes magic, version, counts, metadata and tensor infos, padded to the alignment.</summary>
    public void WriteHeader()
    {
        Expect(State.Declaring, "WriteHeader can only be called once");
        uint alignment = Alignment;
        using var header = new MemoryStream();
        using (var writer = new BinaryWriter(header, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(GgufConstants.Magic);
            writer.Write(GgufConstants.Version);
            writer.Write((long)_declared.Count);
            writer.Write((long)Metadata.Count);
            foreach (var (key, value) in Metadata)
            {
                GgufValueEncoder.WriteString(writer, key);
                writer.Write((uint)value.Type);
                GgufValueEncoder.WriteValue(writer, value);
            }
            long relative = 0;
            foreach (var (name, type, ne, bytes) in _declared)
            {
                GgufValueEncoder.WriteString(writer, name);
                writer.Write((uint)ne.Length);
                foreach (long n in ne)
                {
                    writer.Write(n);
                }
                writer.Write((uint)type);
                writer.Write((ulong)relative);
                relative = AlignUp(relative + bytes, alignment);
            }
        }

        long dataOffset = AlignUp(header.Length, alignment);
        _tensors = [];
        long offset = 0;
        foreach (var (name, type, ne, bytes) in _declared)
        {
            _tensors.Add(new GgufTensorInfo(name, type, ne, dataOffset + offset, offset, bytes));
            offset = AlignUp(offset + bytes, alignment);
        }

        Guarded(() =>
        {
            _stream.Write(header.GetBuffer(), 0, (int)header.Length);
            WriteZeros(dataOffset - header.Length);
        });
        _state = State.WritingData;
    }

    /// <summary>
    /// Appends bytes of tensor <paramref name="name"/>, which must be the next declared tensor not yet complete.
    /// A tensor may arrive in several consecutive calls; once its declared size is reached, padding follows.
    /// </summary>
    public void WriteTensorData(string name, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        Expect(State.WritingData, _state == State.Declaring ? "call WriteHeader before writing tensor data" : "no more data can be written");
        if (!_indexByName.TryGetValue(name, out int index))
        {
            throw new ArgumentException($"Writing GGUF '{Destination}': tensor '{name}' was never declared with AddTensor." +
                Common.NameSuggestions.Describe(name, _indexByName.Keys, 3), nameof(name));
        }
        if (index != _current)
        {
            string problem = index < _current
                ? $"tensor '{name}' is already completely written"
                : $"tensor '{name}' (#{index}) is written out of order: tensor '{_declared[_current].Name}' (#{_current}) " +
                  $"comes first ({_currentWritten} of its {_declared[_current].Bytes} bytes written); tensors are written in declaration order";
            throw new InvalidOperationException($"Writing GGUF '{Destination}': {problem}.");
        }
        long bytes = _declared[index].Bytes;
        if (data.Length > bytes - _currentWritten)
        {
            throw new ArgumentException(
                $"Writing GGUF '{Destination}': tensor '{name}' is {bytes} bytes but {_currentWritten + data.Length} were given.", nameof(data));
        }

        WriteChunk(data);
        _currentWritten += data.Length;
        if (_currentWritten == bytes)
        {
            long end = _tensors![index].RelativeOffset + bytes;
            Guarded(() => WriteZeros(AlignUp(end, Alignment) - end));
            _current++;
            _currentWritten = 0;
        }
    }

    /// <summary>Checks that every tensor is complete, flushes, and (for a path) renames the partial file into place.</summary>
    /// <exception cref="InvalidOperationException">Tensor data is missing; the message names the first incomplete tensor.</exception>
    public void Finish()
    {
        if (_state == State.Declaring && _declared.Count == 0)
        {
            WriteHeader();
        }
        Expect(State.WritingData, _state == State.Declaring ? "WriteHeader was never called" : "Finish can only be called once");
        if (_current < _declared.Count)
        {
            var (name, _, _, bytes) = _declared[_current];
            throw new InvalidOperationException(
                $"Writing GGUF '{Destination}': tensor '{name}' (#{_current}) is incomplete ({_currentWritten} of {bytes} bytes written); " +
                $"{_declared.Count - _current} of {_declared.Count} tensors are missing data.");
        }
        Guarded(() =>
        {
            _stream.Flush();
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
            if (_partialPath is not null)
            {
                File.Move(_partialPath, Destination, overwrite: true);
            }
        });
        _state = State.Finished;
    }

    /// <summary>Closes the output; an unfinished file written from a path is deleted rather than left truncated.</summary>
    public void Dispose()
    {
        if (_state is State.Finished or State.Disposed)
        {
            _state = State.Disposed;
            return;
        }
        _state = State.Disposed;
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
        if (_partialPath is not null)
        {
            File.Delete(_partialPath);
        }
    }

    /// <summary>Writes a small file in one call: metadata in the given order, tensors in the given order.</summary>
    public static void Write(
        string path,
        IEnumerable<KeyValuePair<string, GgufValue>> metadata,
        IEnumerable<(string Name, GgmlType Type, long[] Ne, ReadOnlyMemory<byte> Data)> tensors)
    {
        using var writer = new GgufWriter(path);
        foreach (var (key, value) in metadata)
        {
            writer.SetMetadata(key, value);
        }
        var list = tensors.ToList();
        foreach (var (name, type, ne, data) in list)
        {
            writer.AddTensor(name, type, ne, data.Length);
        }
        writer.WriteHeader();
        foreach (var (name, _, _, data) in list)
        {
            writer.WriteTensorData(name, data.Span);
        }
        writer.Finish();
    }

    private void Expect(State expected, string problem)
    {
        if (_state == expected)
        {
            return;
        }
        string reason = _state switch
        {
            State.Failed => "an earlier write to the output failed",
            State.Disposed => "the writer is disposed",
            State.Finished => "the file is already finished",
            _ => problem,
        };
        throw new InvalidOperationException($"Writing GGUF '{Destination}': {(reason == problem ? problem : $"{problem}: {reason}")}.");
    }

    private void WriteChunk(ReadOnlySpan<byte> data)
    {
        try
        {
            _stream.Write(data);
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    /// <summary>Runs an output operation; if it fails the writer refuses further use (the file is inconsistent).</summary>
    private void Guarded(Action write)
    {
        try
        {
            write();
        }
        catch
        {
            _state = State.Failed;
            throw;
        }
    }

    private void WriteZeros(long count)
    {
        while (count > 0)
        {
            int n = (int)Math.Min(count, Zeros.Length);
            _stream.Write(Zeros, 0, n);
            count -= n;
        }
    }

    private static long AlignUp(long value, uint alignment) => (value + alignment - 1) / alignment * alignment;
}
