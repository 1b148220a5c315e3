using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// Resolves the pickle's persistent ids ('storage', type, key, location, numel) to zip entries "&lt;archive&gt;/data/&lt;key&gt;"
/// and checks every tensor view against its storage, using the central directory only (no tensor data is read).
/// </summary>
internal sealed class StorageCatalog(string filePath, StoredZipArchive archive, string archiveName)
{
    private readonly Dictionary<string, TorchStorageRef> _byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PyTorchStorageInfo> _checked = new(StringComparer.Ordinal);

    /// <summary>The zip entry of each checked storage, by key.</summary>
    public Dictionary<string, ZipEntry> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>The pickle machine's persistent_load; the same key always yields the same storage.</summary>
    public object Load(PickleTuple pid)
    {
        if (pid.Count != 5 || pid[0] is not "storage")
        {
            throw new InvalidDataException($"persistent id {pid} is not ('storage', type, key, location, numel).");
        }
        if (pid[1] is not PickleGlobal { Module: "torch" } type || !TorchStorageTypes.TryGetDType(type.Name, out SafetensorsDType dtype))
        {
            throw new InvalidDataException($"persistent id names storage type {PickleText.Describe(pid[1])}; supported: {TorchStorageTypes.KnownNames}.");
        }
        if (pid[2] is not string key || key.Length == 0 || key.Contains('/') || key.Contains('\\') || key is "." or "..")
        {
            throw new InvalidDataException($"persistent id has storage key {PickleText.Describe(pid[2])}, expected a plain name such as '0'.");
        }
        if (pid[3] is not string location)
        {
            throw new InvalidDataException($"persistent id of storage '{key}' has location {PickleText.Describe(pid[3])}, expected a str.");
        }
        if (pid[4] is not long numel || numel < 0)
        {
            throw new InvalidDataException($"persistent id of storage '{key}' has element count {PickleText.Describe(pid[4])}, expected a non-negative int.");
        }
        var storage = new TorchStorageRef(key, type.FullName, dtype, location, numel);
        if (_byKey.TryGetValue(key, out TorchStorageRef? known))
        {
            if (known.DType != dtype || known.ElementCount != numel)
            {
                throw new InvalidDataException(
                    $"storage '{key}' is named as {known.TypeName} of {known.ElementCount} elements and again as {type.FullName} of {numel}.");
            }
            return known;
        }
        _byKey.Add(key, storage);
        return storage;
    }

    /// <summary>The public description of a tensor, after checking its storage entry and that the view lies inside it.</summary>
    public PyTorchTensorInfo Describe(string name, string picklePath, TorchTensorView view)
    {
        string part = $"tensor '{picklePath}'";
        PyTorchStorageInfo storage = CheckStorage(part, view.Storage);
        if (view.Shape.Length != view.Stride.Length)
        {
            throw new PyTorchFormatException(filePath, part, $"shape [{string.Join(", ", view.Shape)}] has {view.Shape.Length} dimensions but stride ({string.Join(", ", view.Stride)}) has {view.Stride.Length}.");
        }
        PyTorchTensorInfo tensor;
        long extent;
        try
        {
            tensor = new PyTorchTensorInfo(name, picklePath, storage, view.StorageOffset, view.Shape, view.Stride, view.RequiresGrad);
            extent = tensor.StorageExtent;
        }
        catch (OverflowException)
        {
            throw new PyTorchFormatException(filePath, part, $"shape [{string.Join(", ", view.Shape)}] with stride ({string.Join(", ", view.Stride)}) overflows 64-bit element counts.");
        }
        if (extent > storage.ElementCount)
        {
            throw new PyTorchFormatException(filePath, part,
                $"the view (offset {view.StorageOffset}, shape [{string.Join(", ", view.Shape)}], stride ({string.Join(", ", view.Stride)})) " +
                $"reaches element {extent - 1} but {storage} has only {storage.ElementCount} elements.");
        }
        return tensor;
    }

    private PyTorchStorageInfo CheckStorage(string part, TorchStorageRef storage)
    {
        if (_checked.TryGetValue(storage.Key, out PyTorchStorageInfo? info))
        {
            return info;
        }
        string entryName = $"{archiveName}/data/{storage.Key}";
        string what = $"storage '{storage.Key}' ({storage.TypeName}, {storage.ElementCount} elements)";
        if (!archive.TryGet(entryName, out ZipEntry entry))
        {
            int present = archive.Entries.Count(e => e.Name.StartsWith(archiveName + "/data/", StringComparison.Ordinal));
            throw new PyTorchFormatException(filePath, part,
                $"its {what} should be the zip entry '{entryName}', which is missing (the archive has {present} storage entries).");
        }
        if (entry.IsEncrypted || !entry.IsStored)
        {
            throw new PyTorchFormatException(filePath, part,
                $"its {what} is the zip entry '{entryName}', which is {(entry.IsEncrypted ? "encrypted" : $"compressed (method {entry.Method})")}; " +
                "torch.save stores entries uncompressed so they can be read in place. Re-save the checkpoint with torch.save.");
        }
        if (storage.ElementCount > long.MaxValue / storage.DType.ElementSize())
        {
            throw new PyTorchFormatException(filePath, part, $"its {what} is absurdly large (damaged pickle).");
        }
        long expected = storage.ElementCount * storage.DType.ElementSize();
        if (entry.UncompressedSize != expected)
        {
            throw new PyTorchFormatException(filePath, part,
                $"its {what} needs {expected} bytes ({storage.ElementCount} x {storage.DType.ElementSize()}) but the zip entry '{entryName}' " +
                $"holds {entry.UncompressedSize} bytes.");
        }
        info = new PyTorchStorageInfo(storage.Key, entryName, storage.TypeName, storage.DType, storage.ElementCount, storage.Location);
        _checked.Add(storage.Key, info);
        Entries[storage.Key] = entry;
        return info;
    }
}
