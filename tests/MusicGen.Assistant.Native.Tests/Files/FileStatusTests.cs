using System.Diagnostics;
using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Native.Tests.Files;

/// <summary>stat(2) through <see cref="FileStatus"/>: kinds without opening anything, identity across links.</summary>
public sealed class FileStatusTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mga-filestatus-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Files_folders_and_missing_paths_are_told_apart()
    {
        File.WriteAllText(PathOf("a.txt"), "x");
        Assert.Equal(FileKind.Regular, FileStatus.Of(PathOf("a.txt")).Kind);
        Assert.Equal(FileKind.Directory, FileStatus.Of(_dir).Kind);
        Assert.Equal(FileKind.Missing, FileStatus.Of(PathOf("none")).Kind);
        Assert.Equal(FileKind.Missing, FileStatus.Of(PathOf("a.txt/below")).Kind); // ENOTDIR is missing too
        Assert.False(FileStatus.Of(PathOf("none")).Exists);
    }

    [Fact]
    public void Dev_null_is_a_character_device_and_a_fifo_is_a_fifo_without_being_opened()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal(FileKind.CharacterDevice, FileStatus.Of("/dev/null").Kind); // looked at, never opened
        var fifo = PathOf("pipe");
        using (var mkfifo = Process.Start("mkfifo", [fifo])) mkfifo.WaitForExit();
        Assert.Equal(FileKind.Fifo, FileStatus.Of(fifo).Kind); // opening it would block: stat does not
    }

    [Fact]
    public void Hard_links_and_symbolic_links_share_the_identity_of_their_file()
    {
        if (!OperatingSystem.IsLinux()) return;
        File.WriteAllText(PathOf("a.wav"), "x");
        File.WriteAllText(PathOf("b.wav"), "x");
        File.CreateSymbolicLink(PathOf("link.wav"), PathOf("a.wav"));
        using (var ln = Process.Start("ln", [PathOf("a.wav"), PathOf("hard.wav")])) ln.WaitForExit();

        var a = FileStatus.Of(PathOf("a.wav")).Identity;
        Assert.NotNull(a);
        Assert.Equal(a, FileStatus.Of(PathOf("link.wav")).Identity);
        Assert.Equal(a, FileStatus.Of(PathOf("hard.wav")).Identity);
        Assert.Equal(a, FileStatus.Of(Path.Combine(_dir, ".", "a.wav")).Identity);
        Assert.NotEqual(a, FileStatus.Of(PathOf("b.wav")).Identity);
        Assert.Equal(FileKind.Regular, FileStatus.Of(PathOf("link.wav")).Kind); // links are followed
    }
}
