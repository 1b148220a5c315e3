using System.Text.Json;
using MusicGen.Assistant.Formats.Common;

namespace MusicGen.Assistant.Formats.Safetensors;

/// <summary>
/// A Hugging Face checkpoint directory seen as one name -> tensor view: either a single
/// "model.safetensors" or shards listed by "model.safetensors.index.json" (its "weight_map").
/// Owns and disposes every opened file.
/// </summary>
public sealed class SafetensorsCheckpoint : ITensorCheckpoint
{
    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _fileByTensor;

    private SafetensorsCheckpoint(string directory, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> fileByTensor)
    {
        DirectoryPath = directory;
        _files = files;
        _fileByTensor = fileByTensor;
        Tensors = files.SelectMany(f => f.Tensors).ToList();
    }

    public string DirectoryPath { get; }

    /// <summary>The opened files, in shard order.</summary>
    public IReadOnlyList<SafetensorsFile> Files => _files;

    /// <summary>All tensors of all files, in file then header order.</summary>
    public IReadOnlyList<SafetensorsTensorInfo> Tensors { get; }

    /// <summary>The "__metadata__" of the first file (shards written by save_pretrained share it).</summary>
    public IReadOnlyDictionary<string, string> Metadata => _files[0].Metadata;

    /// <summary>
    /// Opens "<paramref name="baseName"/>.safetensors" in <paramref name="directory"/> or, when it is absent, the shards
    /// named by "<paramref name="baseName"/>.safetensors.index.json" (the order Hugging Face transformers checks them in).
    /// </summary>
    public static SafetensorsCheckpoint OpenDirectory(string directory, string baseName = "model")
    {
        string fullDirectory = Path.GetFullPath(directory);
        if (!Directory.Exists(fullDirectory))
        {
            throw new DirectoryNotFoundException($"Checkpoint directory '{fullDirectory}' does not exist.");
        }

        string single = Path.Combine(fullDirectory, baseName + ".safetensors");
        if (File.Exists(single))
        {
            return FromFiles(fullDirectory, [single], weightMap: null, indexPath: null);
        }

        string index = Path.Combine(fullDirectory, baseName + ".safetensors.index.json");
        if (File.Exists(index))
        {
            Dictionary<string, string> weightMap = ReadWeightMap(index);
            var shardNames = weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var shardPaths = shardNames.Select(name => Path.Combine(fullDirectory, name)).ToList();
            foreach (var (name, shardPath) in shardNames.Zip(shardPaths))
            {
                if (!File.Exists(shardPath))
                {
                    throw new SafetensorsFormatException(index, null, $"weight_map names shard '{name}', which does not exist.");
                }
            }
            return FromFiles(fullDirectory, shardPaths, weightMap, index);
        }

        string present = string.Join(", ", Directory.EnumerateFiles(fullDirectory).Select(Path.GetFileName).Order().Take(20));
        throw new FileNotFoundException(
            $"Checkpoint directory '{fullDirectory}' has neither '{baseName}.safetensors' nor '{baseName}.safetensors.index.json' " +
            $"(files: {(present.Length == 0 ? "none" : present)}).");
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(Native.Files.InputFile.ReadAllText(indexPath, "safetensors index", Native.Files.InputFile.DefaultMaxTextBytes));
        }
        catch (JsonException e)
        {
            throw new SafetensorsFormatException(indexPath, null, $"index is not valid JSON ({e.Message}).", e);
        }
        catch (Exception e) when (e is InvalidDataException or Native.Files.InputFileException)
        {
            throw new SafetensorsFormatException(indexPath, null, e.Message, e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object ||
                !document.RootElement.TryGetProperty("weight_map", out JsonElement map) ||
                map.ValueKind != JsonValueKind.Object)
            {
                throw new SafetensorsFormatException(indexPath, null, "index has no 'weight_map' object.");
            }
            var weightMap = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty entry in map.EnumerateObject())
            {
                string? shard = entry.Value.ValueKind == JsonValueKind.String ? entry.Value.GetString() : null;
                // Shards must sit beside the index: a path would let an index point anywhere on disk.
                if (string.IsNullOrEmpty(shard) || Path.GetFileName(shard) != shard || shard is "." or "..")
                {
                    throw new SafetensorsFormatException(indexPath, entry.Name,
                        $"weight_map value {entry.Value.GetRawText()} is not a plain shard file name.");
                }
                if (!weightMap.TryAdd(entry.Name, shard))
                {
                    throw new SafetensorsFormatException(indexPath, entry.Name, "weight_map lists the tensor more than once.");
                }
            }
            if (weightMap.Count == 0)
            {
                throw new SafetensorsFormatException(indexPath, null, "weight_map is empty.");
            }
            return weightMap;
        }
    }

    private static SafetensorsCheckpoint FromFiles(
        string directory, List<string> paths, Dictionary<string, string>? weightMap, string? indexPath)
    {
        var files = new List<SafetensorsFile>();
        try
        {
            var fileByTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (string path in paths)
            {
                SafetensorsFile file = SafetensorsFile.Open(path);
                files.Add(file);
                foreach (SafetensorsTensorInfo tensor in file.Tensors)
                {
                    if (!fileByTensor.TryAdd(tensor.Name, file))
                    {
                        throw new SafetensorsFormatException(file.Path, tensor.Name,
                            $"the tensor is also stored in '{fileByTensor[tensor.Name].Path}'.");
                    }
                }
            }

            foreach (var (name, shard) in weightMap ?? [])
            {
                if (!fileByTensor.TryGetValue(name, out SafetensorsFile? holder))
                {
                    throw new SafetensorsFormatException(indexPath!, name, $"weight_map puts the tensor in '{shard}', which does not contain it.");
                }
                if (Path.GetFileName(holder.Path) != shard)
                {
                    throw new SafetensorsFormatException(indexPath!, name,
                        $"weight_map puts the tensor in '{shard}' but it is stored in '{Path.GetFileName(holder.Path)}'.");
                }
            }
            return new SafetensorsCheckpoint(directory, files, fileByTensor);
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }
    }

    string ITensorCheckpoint.Source => DirectoryPath;

    /// <summary>Tensor names in file then header order.</summary>
    public IEnumerable<string> Names => Tensors.Select(t => t.Name);

    public bool Contains(string name) => _fileByTensor.ContainsKey(name);

    public long[] Shape(string name) => (long[])Get(name).Shape.Clone();

    public SafetensorsDType DType(string name) => Get(name).DType;

    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the closest names.</exception>
    public SafetensorsTensorInfo Get(string name) => GetFile(name).Get(name);

    /// <summary>The file that stores <paramref name="name"/>.</summary>
    public SafetensorsFile GetFile(string name)
    {
        if (_fileByTensor.TryGetValue(name, out SafetensorsFile? file))
        {
            return file;
        }
        throw new KeyNotFoundException(
            $"Tensor '{name}' is not in checkpoint '{DirectoryPath}' ({_fileByTensor.Count} tensors in {_files.Count} file(s))." +
            NameSuggestions.Describe(name, _fileByTensor.Keys));
    }

    public ReadOnlySpan<byte> GetBytes(string name) => GetFile(name).GetBytes(name);

    public float[] ReadFloat32(string name) => GetFile(name).ReadFloat32(name);

    public void ReadFloat32(string name, Span<float> destination) => GetFile(name).ReadFloat32(name, destination);

    public long[] ReadInt64(string name) => GetFile(name).ReadInt64(name);

    public void Dispose() => _files.ForEach(f => f.Dispose());
}
