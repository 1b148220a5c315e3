using System.Collections.Concurrent;
using System.Text;
using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// A PyTorch checkpoint as torch.save writes it (a zip of "&lt;archive&gt;/data.pkl" plus one stored entry per storage),
/// read without Python: the file is memory-mapped, the pickle is run by a VM that accepts only the globals a tensor
/// checkpoint needs, and each tensor is read from its storage in place when asked for. Opening reads the central
/// directory and the pickle only, never tensor data.
/// </summary>
/// <remarks>
/// <see cref="Names"/> are the names of the state dict: for {'model': state_dict, 'optimizer': ...} (M2UGen's
/// misc.save_model) the tensors under 'model', with DistributedDataParallel's "module." prefix removed. Every
/// tensor of the pickle is still listed by <see cref="AllTensors"/>. Safe for concurrent reads.
/// </remarks>
public sealed class PyTorchCheckpoint : ITensorCheckpoint
{
    /// <summary>Top-level keys tried, in order, when the pickled object is a dict that wraps the state dict.</summary>
    public static readonly IReadOnlyList<string> StateDictKeys = ["model", "state_dict", "model_state_dict", "module"];

    /// <summary>
    /// Deepest nesting of dicts, lists and tuples accepted in the pickled object (a state dict is 1-3 levels deep);
    /// deeper is refused with a <see cref="PyTorchFormatException"/> naming the file, however deep it goes.
    /// </summary>
    public const int MaxNestingDepth = CheckpointTree.MaxDepth;

    private const string ModulePrefix = "module.";

    private readonly MappedFile _file;
    private readonly StoredZipArchive _archive;
    private readonly Dictionary<string, PyTorchTensorInfo> _byName;
    private readonly Dictionary<string, ZipEntry> _entryByStorage;
    private readonly ConcurrentDictionary<string, long> _dataOffsetByStorage = new(StringComparer.Ordinal);

    private PyTorchCheckpoint(MappedFile file, StoredZipArchive archive, string archiveName, string? version, string stateDictPath,
        List<PyTorchTensorInfo> tensors, List<PyTorchTensorInfo> allTensors, Dictionary<string, object?> values, Dictionary<string, ZipEntry> entryByStorage)
    {
        _file = file;
        _archive = archive;
        ArchiveName = archiveName;
        Version = version;
        StateDictPath = stateDictPath;
        Tensors = tensors;
        AllTensors = allTensors;
        Values = values;
        _entryByStorage = entryByStorage;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>Absolute path of the file.</summary>
    public string Path => _file.Path;

    string ITensorCheckpoint.Source => Path;

    /// <summary>The folder name every zip entry starts with ("checkpoint" for checkpoint.pth).</summary>
    public string ArchiveName { get; }

    /// <summary>The serialization format version from "&lt;archive&gt;/version" ("3"), when present.</summary>
    public string? Version { get; }

    /// <summary>Where the state dict sits in the pickled object: "model", or "" when the object itself is the state dict.</summary>
    public string StateDictPath { get; }

    /// <summary>The state dict's tensors, in pickle order, named as <see cref="Names"/>.</summary>
    public IReadOnlyList<PyTorchTensorInfo> Tensors { get; }

    /// <summary>Every tensor in the pickled object (optimizer state included), named by its full dotted path.</summary>
    public IReadOnlyList<PyTorchTensorInfo> AllTensors { get; }

    /// <summary>The plain values beside the tensors ("epoch" -> 0L, "args.lr" -> 0.001, lists as text), by dotted path.</summary>
    public IReadOnlyDictionary<string, object?> Values { get; }

    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    /// <summary>Maps and reads <paramref name="path"/>'s zip directory and pickle.</summary>
    /// <param name="path">A torch.save file (.pth, .pt, .bin).</param>
    /// <param name="stateDictKey">
    /// The top-level key holding the state dict, or "" for the whole object; null picks the object itself when it holds
    /// tensors directly, else the first of <see cref="StateDictKeys"/> present.
    /// </param>
    /// <exception cref="PyTorchUnsafePickleException">The pickle names a global outside the allowed list.</exception>
    /// <exception cref="PyTorchFormatException">The file is damaged, truncated or not a torch.save zip archive.</exception>
    public static PyTorchCheckpoint Open(string path, string? stateDictKey = null)
    {
        MappedFile file = MappedFile.Open(path, "PyTorch checkpoint");
        try
        {
            StoredZipArchive archive = StoredZipArchive.Read(file);
            string archiveName = ArchivePrefix(archive);
            CheckByteOrder(archive, archiveName);
            var storages = new StorageCatalog(file.Path, archive, archiveName);
            byte[] pickle = ReadPickle(archive, archiveName + "/data.pkl");
            object? root = PickleMachine.Run(file.Path, archiveName + "/data.pkl", pickle, storages.Load);

            CheckpointTree.Leaves leaves;
            try
            {
                leaves = CheckpointTree.Flatten(root, CheckpointTree.LeafBudget(pickle.Length));
            }
            catch (InvalidDataException e)
            {
                throw new PyTorchFormatException(file.Path, archiveName + "/data.pkl", e.Message);
            }
            string stateDictPath = ChooseStateDict(file.Path, root, stateDictKey);
            var allTensors = leaves.Tensors.Select(leaf => storages.Describe(leaf.Path, leaf.Path, leaf.Tensor)).ToList();
            var tensors = new List<PyTorchTensorInfo>();
            var seen = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (leafPath, view) in leaves.Tensors)
            {
                string? name = StateDictName(leafPath, stateDictPath);
                if (name is null)
                {
                    continue;
                }
                if (!seen.TryAdd(name, leafPath))
                {
                    throw new PyTorchFormatException(file.Path, $"tensor '{name}'",
                        $"both '{seen[name]}' and '{leafPath}' map to this name once the \"{ModulePrefix}\" prefix is removed.");
                }
                tensors.Add(storages.Describe(name, leafPath, view));
            }
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (valuePath, value) in leaves.Values)
            {
                values[valuePath] = value;
            }
            string? version = archive.TryGet(archiveName + "/version", out ZipEntry versionEntry)
                ? Encoding.ASCII.GetString(archive.GetData(versionEntry)).Trim()
                : null;
            return new PyTorchCheckpoint(file, archive, archiveName, version, stateDictPath, tensors, allTensors, values, storages.Entries);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public bool Contains(string name) => _byName.ContainsKey(name);

    public bool TryGet(string name, out PyTorchTensorInfo tensor) => _byName.TryGetValue(name, out tensor!);

    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the closest names.</exception>
    public PyTorchTensorInfo Get(string name)
    {
        if (_byName.TryGetValue(name, out PyTorchTensorInfo? tensor))
        {
            return tensor;
        }
        throw new KeyNotFoundException(
            $"Tensor '{name}' is not in PyTorch checkpoint '{Path}' ({_byName.Count} tensors under " +
            $"'{(StateDictPath.Length == 0 ? "(top level)" : StateDictPath)}')." + NameSuggestions.Describe(name, _byName.Keys));
    }

    public long[] Shape(string name) => (long[])Get(name).Shape.Clone();

    public SafetensorsDType DType(string name) => Get(name).DType;

    /// <summary>The tensor as float32, row-major (F32 copied; F16, BF16 widened exactly; F64 rounded); strided views are gathered.</summary>
    public float[] ReadFloat32(string name) => ReadFloat32(Get(name));

    public void ReadFloat32(string name, Span<float> destination) => ReadFloat32(Get(name), destination);

    /// <summary>Any tensor of this checkpoint, <see cref="AllTensors"/> included.</summary>
    public float[] ReadFloat32(PyTorchTensorInfo tensor)
    {
        var values = new float[ArrayLength(tensor)];
        ReadFloat32(tensor, values);
        return values;
    }

    public void ReadFloat32(PyTorchTensorInfo tensor, Span<float> destination) =>
        Read(tensor, destination, TensorViewReader.FloatConverter, "ReadFloat32");

    /// <summary>An integer or bool tensor as int64 (I64 copied; narrower types widened exactly).</summary>
    public long[] ReadInt64(string name)
    {
        PyTorchTensorInfo tensor = Get(name);
        var values = new long[ArrayLength(tensor)];
        Read(tensor, values.AsSpan(), TensorViewReader.Int64Converter, "ReadInt64");
        return values;
    }

    /// <summary>The raw little-endian bytes of a contiguous tensor, as a view into the mapping (no copy; valid until Dispose).</summary>
    public ReadOnlySpan<byte> GetContiguousBytes(string name)
    {
        PyTorchTensorInfo tensor = Get(name);
        if (!tensor.IsContiguous)
        {
            throw new InvalidOperationException(
                $"Tensor '{name}' in '{Path}' is a strided view (shape [{string.Join(", ", tensor.Shape)}], stride ({string.Join(", ", tensor.Stride)})); " +
                "its bytes are not one range. Use ReadFloat32 or ReadInt64, which gather it.");
        }
        FileByteRange range = GetByteRange(tensor);
        return _file.Slice(range.Offset, range.Length, $"Tensor '{name}'");
    }

    /// <summary>The bytes of the file the tensor's elements lie in (from its first to its last element).</summary>
    public FileByteRange GetByteRange(PyTorchTensorInfo tensor)
    {
        int size = tensor.DType.ElementSize();
        long start = StorageDataOffset(tensor.Storage) + tensor.StorageOffset * size;
        return new FileByteRange(start, tensor.ElementCount == 0 ? 0 : (tensor.StorageExtent - tensor.StorageOffset) * size);
    }

    /// <summary>Where a storage's bytes lie in the file.</summary>
    public FileByteRange GetByteRange(PyTorchStorageInfo storage) => new(StorageDataOffset(storage), storage.ByteLength);

    private void Read<T>(PyTorchTensorInfo tensor, Span<T> destination, Func<SafetensorsDType, TensorViewReader.Converter<T>> converterFor, string method)
    {
        if (destination.Length != tensor.ElementCount)
        {
            throw new ArgumentException(
                $"Destination holds {destination.Length} elements but tensor '{tensor.Name}' in '{Path}' has {tensor.ElementCount} " +
                $"(shape [{string.Join(", ", tensor.Shape)}]).", nameof(destination));
        }
        TensorViewReader.Converter<T> convert;
        try
        {
            convert = converterFor(tensor.DType);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' in '{Path}': {method}: {e.Message}", e);
        }
        TensorViewReader.Read(_file, StorageDataOffset(tensor.Storage), tensor, destination, convert);
    }

    private long StorageDataOffset(PyTorchStorageInfo storage) =>
        _dataOffsetByStorage.GetOrAdd(storage.Key, key => _archive.DataOffset(_entryByStorage[key]));

    private int ArrayLength(PyTorchTensorInfo tensor) =>
        tensor.ElementCount <= Array.MaxLength
            ? (int)tensor.ElementCount
            : throw new NotSupportedException($"Tensor '{tensor.Name}' in '{Path}' has {tensor.ElementCount} elements, more than one array can hold.");

    private static string ArchivePrefix(StoredZipArchive archive)
    {
        if (archive.Entries.Count == 0)
        {
            throw new PyTorchFormatException(archive.Path, null, "the zip archive is empty; a torch.save archive holds at least '<name>/data.pkl'.");
        }
        string first = archive.Entries[0].Name;
        int slash = first.IndexOf('/');
        string prefix = slash > 0 ? first[..slash] : "";
        if (prefix.Length == 0 || !archive.TryGet(prefix + "/data.pkl", out _))
        {
            string listed = string.Join(", ", archive.Entries.Take(8).Select(e => "'" + e.Name + "'"));
            throw new PyTorchFormatException(archive.Path, null,
                $"no '<archive>/data.pkl' entry beside the first entry '{first}'; this zip is not a torch.save checkpoint (entries: {listed}" +
                $"{(archive.Entries.Count > 8 ? ", ..." : "")}).");
        }
        return prefix;
    }

    private static void CheckByteOrder(StoredZipArchive archive, string archiveName)
    {
        if (archive.TryGet(archiveName + "/byteorder", out ZipEntry entry))
        {
            string order = Encoding.ASCII.GetString(archive.GetData(entry)).Trim();
            if (order != "little")
            {
                throw new PyTorchFormatException(archive.Path, entry.Name, $"storages are '{order}'-endian; only little-endian checkpoints are supported.");
            }
        }
    }

    private static byte[] ReadPickle(StoredZipArchive archive, string entryName)
    {
        archive.TryGet(entryName, out ZipEntry entry);
        ReadOnlySpan<byte> bytes = archive.GetData(entry);
        uint crc = Crc32.Compute(bytes);
        if (crc != entry.Crc32)
        {
            throw new PyTorchFormatException(archive.Path, $"zip entry '{entryName}'",
                $"CRC-32 is 0x{crc:x8} but the central directory records 0x{entry.Crc32:x8}: the pickle is damaged.");
        }
        return bytes.ToArray();
    }

    private static string ChooseStateDict(string filePath, object? root, string? requested)
    {
        if (root is not PickleDict dict)
        {
            throw new PyTorchFormatException(filePath, null, $"the pickled object is a {PickleText.TypeOf(root)}; a checkpoint is a dict of tensors or a dict holding one.");
        }
        if (requested is not null)
        {
            if (requested.Length == 0 || (dict.TryGetValue(requested, out object? chosen) && chosen is PickleDict))
            {
                return requested;
            }
            throw new PyTorchFormatException(filePath, null,
                $"no dict under the top-level key '{requested}' (top-level keys: {string.Join(", ", dict.Items.Select(kv => PickleText.Describe(kv.Key)))}).");
        }
        if (dict.Items.Any(kv => kv.Value is TorchTensorView))
        {
            return "";
        }
        return StateDictKeys.FirstOrDefault(key => dict.TryGetValue(key, out object? value) && value is PickleDict) ?? "";
    }

    private static string? StateDictName(string leafPath, string stateDictPath)
    {
        string name;
        if (stateDictPath.Length == 0)
        {
            name = leafPath;
        }
        else if (leafPath.StartsWith(stateDictPath + ".", StringComparison.Ordinal))
        {
            name = leafPath[(stateDictPath.Length + 1)..];
        }
        else
        {
            return null;
        }
        return name.StartsWith(ModulePrefix, StringComparison.Ordinal) ? name[ModulePrefix.Length..] : name;
    }

    public void Dispose() => _file.Dispose();
}
