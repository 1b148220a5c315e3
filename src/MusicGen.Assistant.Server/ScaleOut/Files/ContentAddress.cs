using System.Text.RegularExpressions;

namespace MusicGen.Assistant.Server.ScaleOut.Files;

/// <summary>
/// Names in the content-addressed store. A record holds a key <c>sha256/HASH/REF.ext</c>: the content's SHA-256 and
/// its own reference (so deleting one record's file leaves the same content of another record in place). A job that
/// only reads a file carries its address <c>sha256/HASH.ext</c>. New files are written under <c>staging/ID.ext</c> first.
/// </summary>
public static partial class ContentAddress
{
    public const string StagingPrefix = "staging/";

    public static bool IsStaging(string key) => StagingShape().IsMatch(key);

    public static bool TryParseKey(string key, out string hash, out string reference, out string extension)
    {
        var m = KeyShape().Match(key);
        (hash, reference, extension) = m.Success ? (m.Groups[1].Value, m.Groups[2].Value, m.Groups[3].Value) : ("", "", "");
        return m.Success;
    }

    public static bool TryParseAddress(string address, out string hash, out string extension)
    {
        var m = AddressShape().Match(address);
        (hash, extension) = m.Success ? (m.Groups[1].Value, m.Groups[2].Value) : ("", "");
        return m.Success;
    }

    public static string Key(string hash, string reference, string extension) => $"sha256/{hash}/{reference}{extension}";

    public static string Address(string hash, string extension) => $"sha256/{hash}{extension}";

    public static string Extension(string extension)
    {
        var e = extension.ToLowerInvariant();
        return ExtensionShape().IsMatch(e) ? e : throw new ArgumentException($"'{extension}' is not a file extension this store keeps (a dot and 1 to 8 letters or digits)");
    }

    [GeneratedRegex(@"^staging/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")]
    private static partial Regex StagingShape();

    [GeneratedRegex(@"^sha256/([0-9a-f]{64})/([0-9a-f]{32})((?:\.[a-z0-9]{1,8})?)$")]
    private static partial Regex KeyShape();

    [GeneratedRegex(@"^sha256/([0-9a-f]{64})((?:\.[a-z0-9]{1,8})?)$")]
    private static partial Regex AddressShape();

    [GeneratedRegex(@"^(\.[a-z0-9]{1,8})?$")]
    private static partial Regex ExtensionShape();
}
