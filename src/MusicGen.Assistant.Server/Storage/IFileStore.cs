namespace MusicGen.Assistant.Server.Storage;

/// <summary>
/// Uploaded and rendered files under names the service makes up (never a client's file name): a key per file. The
/// default keeps them in the data directory (<see cref="LocalFileStore"/>); issue 13 puts a store all nodes reach here.
/// </summary>
public interface IFileStore
{
    /// <summary>A new key for a file of that category ("uploads", "tracks") and extension; nothing is created yet.</summary>
    string NewKey(string category, string extension);

    /// <summary>The local path of a key (the library reads and writes files by path).</summary>
    string PathOf(string key);

    bool Exists(string key);

    /// <summary>Removes the file if it is there.</summary>
    void Delete(string key);

    /// <summary>
    /// Called once the file of a new key is complete; returns the key to record from then on. The default keeps the key;
    /// the content-addressed store of scale-out moves the file under its hash here.
    /// </summary>
    string Seal(string key) => key;
}
