namespace MusicGen.Assistant.Server.ScaleOut.Files;

/// <summary>
/// Blobs in a directory every node mounts: ROOT/blobs/ab/HASH.ext holds the content, ROOT/refs/HASH.ext/ one empty file
/// per reference, ROOT/staging/ the files being written. Changes to one hash hold one of 256 lock files (ROOT/locks/ab,
/// an exclusive flock across processes), so a release that removes the last reference cannot race a new put.
/// </summary>
public sealed class DirectoryBlobStore : IBlobStore
{
    private readonly string _root;

    public DirectoryBlobStore(string root)
    {
        _root = Path.GetFullPath(root);
        foreach (var dir in new[] { "blobs", "refs", "staging", "locks" }) Directory.CreateDirectory(Path.Combine(_root, dir));
    }

    public string Root => _root;

    /// <summary>How long a change waits for another node's change of the same lock stripe before it fails.</summary>
    public static readonly TimeSpan LockPatience = TimeSpan.FromSeconds(30);

    public string StagingPath(string name) => Path.Combine(_root, "staging", name);

    public string LocalPath(string hash, string extension) => Path.Combine(_root, "blobs", hash[..2], hash + extension);

    private string RefDirectory(string hash, string extension) => Path.Combine(_root, "refs", hash + extension);

    public void Put(string hash, string extension, string reference, string source)
    {
        using var _ = Lock(hash);
        var refs = RefDirectory(hash, extension);
        Directory.CreateDirectory(refs);
        File.WriteAllBytes(Path.Combine(refs, reference), []);
        var blob = LocalPath(hash, extension);
        if (File.Exists(blob))
        {
            File.Delete(source); // the same content is there: keep one copy
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(blob)!);
        File.Move(source, blob); // whole or not at all: a reader never sees half a blob
    }

    public bool Exists(string hash, string extension, string reference) =>
        File.Exists(Path.Combine(RefDirectory(hash, extension), reference)) && File.Exists(LocalPath(hash, extension));

    public void Release(string hash, string extension, string reference)
    {
        using var _ = Lock(hash);
        var refs = RefDirectory(hash, extension);
        var file = Path.Combine(refs, reference);
        if (File.Exists(file)) File.Delete(file);
        if (Directory.Exists(refs) && Directory.EnumerateFileSystemEntries(refs).Any()) return;
        var blob = LocalPath(hash, extension);
        if (File.Exists(blob)) File.Delete(blob);
        if (Directory.Exists(refs)) Directory.Delete(refs);
    }

    private FileStream Lock(string hash)
    {
        var path = Path.Combine(_root, "locks", hash[..2]);
        var deadline = DateTime.UtcNow + LockPatience;
        for (var wait = 1; ; wait = Math.Min(wait * 2, 50))
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(wait); } // another process holds it
        }
    }
}
