using System.Collections.Concurrent;
using System.Security.Cryptography;
using MusicGen.Assistant.Server.Storage;

namespace MusicGen.Assistant.Server.ScaleOut.Files;

/// <summary>
/// The service's files for many nodes (<see cref="IFileStore"/> over an <see cref="IBlobStore"/>): written under a
/// staging key, then sealed under their SHA-256 (the same content is kept once), and checked against that hash before
/// a path to them is handed out, so a changed or truncated file is refused rather than served or fed to a model.
/// </summary>
public sealed class ContentAddressedFileStore(IBlobStore blobs) : IFileStore
{
    // files already checked, by path and the length and time they had then: checked again only when changed
    private readonly ConcurrentDictionary<string, (long Length, DateTime Written)> _verified = new();

    public IBlobStore Blobs => blobs;

    public string NewKey(string category, string extension) => $"{ContentAddress.StagingPrefix}{Guid.NewGuid():N}{ContentAddress.Extension(extension)}";

    public string PathOf(string key)
    {
        if (ContentAddress.IsStaging(key)) return blobs.StagingPath(key[ContentAddress.StagingPrefix.Length..]);
        if (ContentAddress.TryParseKey(key, out var hash, out _, out var ext) || ContentAddress.TryParseAddress(key, out hash, out ext))
            return Verified(hash, ext);
        throw new ArgumentException($"'{key}' is not a file key of this store");
    }

    /// <summary>The address of a sealed file (what a job that only reads it carries), from its key or the path <see cref="PathOf"/> gave.</summary>
    public string AddressOf(string keyOrPath)
    {
        if (ContentAddress.TryParseKey(keyOrPath, out var hash, out _, out var ext)) return ContentAddress.Address(hash, ext);
        var name = Path.GetFileName(keyOrPath);
        var dot = name.IndexOf('.');
        var (h, e) = dot < 0 ? (name, "") : (name[..dot], name[dot..]);
        if (ContentAddress.TryParseAddress(ContentAddress.Address(h, e), out hash, out ext) && blobs.LocalPath(hash, ext) == Path.GetFullPath(keyOrPath))
            return ContentAddress.Address(hash, ext);
        throw new ArgumentException($"'{keyOrPath}' is not a sealed file of this store");
    }

    public bool Exists(string key)
    {
        if (ContentAddress.IsStaging(key)) return File.Exists(PathOf(key));
        return ContentAddress.TryParseKey(key, out var hash, out var reference, out var ext)
            ? blobs.Exists(hash, ext, reference)
            : throw new ArgumentException($"'{key}' is not a file key of this store");
    }

    public void Delete(string key)
    {
        if (ContentAddress.IsStaging(key))
        {
            var path = PathOf(key);
            if (File.Exists(path)) File.Delete(path);
        }
        else if (ContentAddress.TryParseKey(key, out var hash, out var reference, out var ext)) blobs.Release(hash, ext, reference);
        else throw new ArgumentException($"'{key}' is not a file key of this store");
    }

    /// <summary>Moves a complete staging file under its hash; returns the key to record (the staging key is gone).</summary>
    public string Seal(string key)
    {
        if (!ContentAddress.IsStaging(key)) return key; // sealed already
        var path = PathOf(key);
        return Import(path, Path.GetExtension(path));
    }

    /// <summary>Stores a complete local file (consumed) under its hash; returns its new key.</summary>
    public string Import(string path, string extension)
    {
        var ext = ContentAddress.Extension(extension);
        var hash = Hash(path);
        var reference = Guid.NewGuid().ToString("N");
        blobs.Put(hash, ext, reference, path);
        return ContentAddress.Key(hash, reference, ext);
    }

    private string Verified(string hash, string ext)
    {
        var path = blobs.LocalPath(hash, ext);
        var info = new FileInfo(path);
        if (!info.Exists) throw new FileNotFoundException($"the stored file sha256/{hash}{ext} is missing from the shared store ({path})", path);
        if (_verified.TryGetValue(path, out var seen) && seen == (info.Length, info.LastWriteTimeUtc)) return path;
        var actual = Hash(path);
        if (actual != hash)
            throw new InvalidDataException($"the stored file sha256/{hash}{ext} does not match its hash (its bytes hash to {actual}): it was changed or damaged in the shared store ({path})");
        _verified[path] = (info.Length, info.LastWriteTimeUtc);
        return path;
    }

    private static string Hash(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
