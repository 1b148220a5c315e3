using System.Diagnostics;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Files;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Files;

/// <summary>The input and output rules every job applies, checked by stat alone (nothing here opens a device or a FIFO).</summary>
public sealed class FileRulesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static AssistantException Refused(Action action) => Assert.Throws<AssistantException>(action);

    private string Fifo(string name)
    {
        using (var mkfifo = Process.Start("mkfifo", [_dir.File(name)])) mkfifo.WaitForExit();
        return _dir.File(name);
    }

    [Fact]
    public void A_device_a_fifo_or_a_folder_is_no_output_and_nothing_is_created_or_written()
    {
        if (!OperatingSystem.IsLinux()) return;
        // stat only: Require throws before any open, so /dev/null is looked at and never touched
        var device = Refused(() => OutputFiles.Require("/dev/null", "output WAV"));
        Assert.Equal((AssistantErrorKind.Output, "output WAV '/dev/null' is a character device; write to a regular file or a new name"), (device.Kind, device.Message));
        var fifo = Fifo("pipe.wav");
        Assert.Contains("is a FIFO (named pipe)", Refused(() => OutputFiles.Require(fifo, "output WAV")).Message);
        Assert.Contains("is a folder; give a file name", Refused(() => OutputFiles.Require(_dir.Path, "output WAV")).Message);
        Assert.Equal(["pipe.wav"], _dir.FileNames());
    }

    [Fact]
    public void Inputs_must_be_regular_files()
    {
        if (!OperatingSystem.IsLinux()) return;
        var zero = Refused(() => InputFiles.Require("/dev/zero", "prompts file"));
        Assert.Equal((AssistantErrorKind.BadInput, "prompts file '/dev/zero' is a character device, not a regular file"), (zero.Kind, zero.Message));
        Assert.Contains("is a FIFO (named pipe), not a regular file", Refused(() => InputFiles.Require(Fifo("in.wav"), "track")).Message);
        Assert.Contains("does not exist", Refused(() => InputFiles.Require(_dir.File("none.wav"), "track")).Message);
    }

    [Fact]
    public void An_output_may_be_no_input_by_any_name_and_a_missing_folder_is_created()
    {
        File.WriteAllText(_dir.File("a.wav"), "x");
        File.CreateSymbolicLink(_dir.File("link.wav"), _dir.File("a.wav"));
        var same = Refused(() => OutputFiles.Require(_dir.File("link.wav"), "output WAV", new NamedInput("track", _dir.File("a.wav"))));
        Assert.Equal(AssistantErrorKind.InvalidRequest, same.Kind);
        Assert.Contains("is the track itself", same.Message);
        Assert.Equal(_dir.File("b.wav"), OutputFiles.Require(_dir.File("b.wav"), "output WAV", new NamedInput("track", _dir.File("a.wav"))));
        Assert.Equal(_dir.File("a.wav"), OutputFiles.Require(_dir.File("a.wav"), "output WAV")); // a regular file is replaced

        Assert.Equal(_dir.File("new/deeper/c.wav"), OutputFiles.Require(_dir.File("new/deeper/c.wav"), "output WAV"));
        Assert.True(Directory.Exists(_dir.File("new/deeper")));
        Assert.Contains("cannot create the folder", Refused(() => OutputFiles.Require(_dir.File("a.wav/c.wav"), "output WAV")).Message);
    }
}
