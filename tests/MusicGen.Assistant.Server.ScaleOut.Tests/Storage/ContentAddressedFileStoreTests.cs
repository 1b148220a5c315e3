using System.Security.Cryptography;
using MusicGen.Assistant.Server.ScaleOut.Files;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Storage;

/// <summary>The shared file store: files sealed under their SHA-256, the same content kept once, checked on read, removed with their last reference.</summary>
public sealed class ContentAddressedFileStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("mga-cas-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ContentAddressedFileStore NewNode() => new(new DirectoryBlobStore(_root)); // each node opens the shared directory itself

    private static string Write(ContentAddressedFileStore store, byte[] bytes, string ext = ".wav")
    {
        var key = store.NewKey("uploads", ext);
        File.WriteAllBytes(store.PathOf(key), bytes);
        return store.Seal(key);
    }

    [Fact]
    public void A_sealed_file_is_named_by_its_hash_and_read_back_by_any_node()
    {
        var bytes = RandomNumberGenerator.GetBytes(5000);
        var key = Write(NewNode(), bytes);
        var hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Assert.StartsWith($"sha256/{hash}/", key);
        Assert.EndsWith(".wav", key);
        var other = NewNode();
        Assert.True(other.Exists(key));
        Assert.Equal(bytes, File.ReadAllBytes(other.PathOf(key)));
        Assert.Equal($"sha256/{hash}.wav", other.AddressOf(key));
        Assert.Equal(other.PathOf(key), other.PathOf(other.AddressOf(other.PathOf(key))));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "staging")));
    }

    [Fact]
    public void The_same_content_is_stored_once_and_stays_until_its_last_reference_goes()
    {
        var a = NewNode();
        var bytes = RandomNumberGenerator.GetBytes(3000);
        var first = Write(a, bytes);
        var second = Write(NewNode(), bytes);
        Assert.NotEqual(first, second);
        Assert.Equal(a.PathOf(first), a.PathOf(second));
        Assert.Single(Directory.GetFiles(Path.Combine(_root, "blobs"), "*", SearchOption.AllDirectories));

        a.Delete(first);
        Assert.False(a.Exists(first));
        Assert.True(a.Exists(second));
        Assert.Equal(bytes, File.ReadAllBytes(a.PathOf(second)));
        a.Delete(second);
        Assert.False(a.Exists(second));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "blobs"), "*", SearchOption.AllDirectories));
        a.Delete(second); // twice: nothing left to do
    }

    [Fact]
    public void A_changed_or_truncated_file_is_refused_on_read()
    {
        var a = NewNode();
        var key = Write(a, RandomNumberGenerator.GetBytes(4096));
        var path = a.PathOf(key); // checked and remembered
        File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(4096)); // changed in place behind the store's back
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));
        var e = Assert.Throws<InvalidDataException>(() => NewNode().PathOf(key));
        Assert.Contains("does not match its hash", e.Message);
        Assert.Throws<InvalidDataException>(() => a.PathOf(key));

        var b = NewNode();
        var other = Write(b, RandomNumberGenerator.GetBytes(100));
        File.Delete(b.PathOf(other));
        Assert.Contains("missing", Assert.Throws<FileNotFoundException>(() => b.PathOf(other)).Message);
    }

    [Fact]
    public void Keys_of_another_shape_never_become_paths()
    {
        var a = NewNode();
        foreach (var bad in new[] { "../etc/passwd", "sha256/../../x", "uploads/0123456789abcdef0123456789abcdef.wav", "sha256/" + new string('a', 63), "staging/x.wav" })
        {
            Assert.Throws<ArgumentException>(() => a.PathOf(bad));
            Assert.Throws<ArgumentException>(() => a.Delete(bad));
        }
        Assert.Throws<ArgumentException>(() => a.NewKey("uploads", ".w/v"));
        Assert.Throws<ArgumentException>(() => a.AddressOf("/etc/passwd"));
    }

    [Fact]
    public void A_staging_file_deleted_before_sealing_leaves_nothing()
    {
        var a = NewNode();
        var key = a.NewKey("tracks", ".wav");
        File.WriteAllBytes(a.PathOf(key), [1, 2, 3]);
        Assert.True(a.Exists(key));
        a.Delete(key);
        Assert.False(a.Exists(key));
        Assert.DoesNotContain(Directory.GetFiles(_root, "*", SearchOption.AllDirectories), f => !f.Contains("/locks/"));
    }
}
