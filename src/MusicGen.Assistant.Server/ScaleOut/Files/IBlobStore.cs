namespace MusicGen.Assistant.Server.ScaleOut.Files;

/// <summary>
/// Where file contents live, by SHA-256, for every node: a shared directory (<see cref="DirectoryBlobStore"/>) or an
/// object store behind this same contract. Each blob has references (one per record that holds it); the last
/// released reference removes the blob. Operations on one hash are atomic with respect to each other on every node.
/// </summary>
public interface IBlobStore
{
    /// <summary>Adds a reference to the content of the local file <paramref name="source"/>, of hash <paramref name="hash"/>, storing the content unless it is there; the source file is consumed.</summary>
    void Put(string hash, string extension, string reference, string source);

    /// <summary>A local path holding the blob's content (the shared file itself, or a local copy of an object).</summary>
    string LocalPath(string hash, string extension);

    bool Exists(string hash, string extension, string reference);

    /// <summary>Drops a reference; the blob goes with its last one.</summary>
    void Release(string hash, string extension, string reference);

    /// <summary>A new local path for a file being written (it becomes a blob by <see cref="Put"/>); nothing is created yet.</summary>
    string StagingPath(string name);
}
