using MusicGen.Assistant.Audio.Media;

namespace MusicGen.Assistant.Audio.Tests.Media;

public class MediaToolsTests
{
    [Fact]
    public void The_installed_tools_are_found_on_the_path()
    {
        MediaTools tools = MediaTools.Locate(null, Environment.GetEnvironmentVariable("PATH"));
        Assert.Equal("ffmpeg", Path.GetFileName(tools.FfmpegPath));
        Assert.Equal("ffprobe", Path.GetFileName(tools.FfprobePath));
        Assert.True(File.Exists(tools.FfmpegPath) && File.Exists(tools.FfprobePath));
    }

    [Fact]
    public void An_empty_path_names_ffmpeg_and_the_install_command()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<MediaToolNotFoundException>(() => MediaTools.Locate(null, dir.Path));
        Assert.Equal("ffmpeg", e.Tool);
        Assert.Contains("ffmpeg was not found on PATH", e.Message);
        Assert.Contains("apt-get install ffmpeg", e.Message);
        Assert.Contains("MGA_FFMPEG", e.Message);
    }

    [Fact]
    public void A_path_with_ffmpeg_but_no_ffprobe_names_ffprobe()
    {
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("ffmpeg"), MediaTools.Default.FfmpegPath);
        var e = Assert.Throws<MediaToolNotFoundException>(() => MediaTools.Locate(null, dir.Path));
        Assert.Equal("ffprobe", e.Tool);
        Assert.Contains("ffprobe was not found on PATH", e.Message);
        Assert.Contains(dir.File("ffmpeg"), e.Message);
    }

    [Fact]
    public void The_override_may_name_a_folder_holding_both_tools()
    {
        string folder = Path.GetDirectoryName(MediaTools.Default.FfmpegPath)!;
        MediaTools tools = MediaTools.Locate(folder, searchPath: "");
        Assert.Equal(Path.Combine(folder, "ffmpeg"), tools.FfmpegPath);
        Assert.Equal(Path.Combine(folder, "ffprobe"), tools.FfprobePath);
    }

    [Fact]
    public void The_override_takes_ffprobe_from_beside_ffmpeg_not_from_the_path()
    {
        using var dir = new TempDirectory();
        File.CreateSymbolicLink(dir.File("ffmpeg"), MediaTools.Default.FfmpegPath);
        // ffprobe is on PATH, but not beside the ffmpeg the override names: mixing builds is refused
        var e = Assert.Throws<MediaToolNotFoundException>(() =>
            MediaTools.Locate(dir.File("ffmpeg"), Environment.GetEnvironmentVariable("PATH")));
        Assert.Equal("ffprobe", e.Tool);
        Assert.Contains("no ffprobe executable beside it", e.Message);
    }

    [Fact]
    public void An_override_pointing_nowhere_is_named_with_its_value()
    {
        var e = Assert.Throws<MediaToolNotFoundException>(() => MediaTools.Locate("/no/such/ffmpeg", Environment.GetEnvironmentVariable("PATH")));
        Assert.Contains("MGA_FFMPEG is '/no/such/ffmpeg'", e.Message);
        Assert.Contains("apt-get install ffmpeg", e.Message);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_file_that_is_not_executable_is_not_taken_for_ffmpeg()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("ffmpeg"), "not a program");
        File.SetUnixFileMode(dir.File("ffmpeg"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var e = Assert.Throws<MediaToolNotFoundException>(() => MediaTools.Locate(dir.File("ffmpeg"), ""));
        Assert.Contains("not an executable file", e.Message);
    }
}
