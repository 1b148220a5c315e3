using System.Text.RegularExpressions;

namespace MusicGen.Assistant.Server.Storage;

/// <summary>Files under DATA/files/CATEGORY/GUID.ext; keys are checked against that shape before they become paths.</summary>
public sealed partial class LocalFileStore : IFileStore
{
    private readonly string _root;

    public LocalFileStore(string dataDirectory)
    {
        _root = Path.Combine(Path.GetFullPath(dataDirectory), "files");
        Directory.CreateDirectory(_root);
    }

    public string NewKey(string category, string extension)
    {
        var key = $"{category}/{Guid.NewGuid():N}{extension.ToLowerInvariant()}";
        if (!KeyShape().IsMatch(key)) throw new ArgumentException($"'{category}' / '{extension}' make no valid file key");
        return key;
    }

    public string PathOf(string key)
    {
        if (!KeyShape().IsMatch(key)) throw new ArgumentException($"'{key}' is not a file key of this store");
        var path = Path.Combine(_root, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    public bool Exists(string key) => File.Exists(PathOf(key));

    public void Delete(string key)
    {
        var path = PathOf(key);
        if (File.Exists(path)) File.Delete(path);
    }

    [GeneratedRegex(@"^[a-z]{1,16}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")]
    private static partial Regex KeyShape();
}
