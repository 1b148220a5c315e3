using System.Diagnostics;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Cli.Tests.Helpers;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Native.Files;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Cli.Tests.Commands;

/// <summary>
/// One rule for the outputs of every command: a regular file or a new name, never a FIFO (or device, socket, folder),
/// never one of the command's own inputs (however it is spelled or linked), and a missing folder is created.
/// FIFOs are made with mkfifo in a temporary folder; no test writes near a real device.
/// </summary>
public sealed class OutputPathTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Fifo(string name)
    {
        var path = _dir.File(name);
        using (var mkfifo = Process.Start("mkfifo", [path])) mkfifo.WaitForExit();
        Assert.Equal(FileKind.Fifo, FileStatus.Of(path).Kind);
        return path;
    }

    private string Wav(string name) => TestAudio.Write(_dir.File(name), 32000, WavSampleFormat.Float32, TestAudio.Tones(32000, 3200));

    private string Codes(string name)
    {
        AudioCodesFile.Write(_dir.File(name), new AudioCodesFormat(32000, 640, 64, 4, 1), [[1, 2], [3, 4], [5, 6], [7, 8]], 1280);
        return _dir.File(name);
    }

    /// <summary>Every command that writes a file, pointed at a FIFO: refused before any work, the FIFO left as it is.</summary>
    public static TheoryData<string> Commands() => ["generate", "edit continue", "edit extend", "edit remix", "codec encode", "codec decode", "embed", "convert"];

    [Theory]
    [MemberData(nameof(Commands))]
    public void A_fifo_as_the_output_is_refused_and_left_a_fifo(string command)
    {
        if (!OperatingSystem.IsLinux()) return;
        var model = _dir.File("model.gguf");
        File.WriteAllText(model, "not read: the output is checked first");
        string[] args = command switch
        {
            "generate" => ["generate", "music", "--out", Fifo("out.wav")],
            "edit continue" => ["edit", "continue", Wav("t.wav"), "--out", Fifo("out.wav")],
            "edit extend" => ["edit", "extend", Wav("t.wav"), "--to", "5", "--out", Fifo("out.wav")],
            "edit remix" => ["edit", "remix", Wav("t.wav"), "strings", "--duration", "1", "--out", Fifo("out.wav")],
            "codec encode" => ["codec", "encode", Wav("a.wav"), Fifo("out.codes"), "--model", model],
            "codec decode" => ["codec", "decode", Codes("a.codes"), Fifo("out.wav"), "--model", model],
            "embed" => ["embed", "music", Wav("a.wav"), "--model", model, "--out", Fifo("out.npy")],
            "convert" => ["convert", FixtureSet.ByName("musicgen-tiny").Directory, Fifo("out.gguf")],
            _ => throw new ArgumentException(command),
        };
        var fifo = args.Single(a => a.StartsWith(_dir.Path, StringComparison.Ordinal) && a.Contains("out.", StringComparison.Ordinal));
        Mga.Run(args).FailedWith(1, $"'{fifo}' is a FIFO (named pipe); write to a regular file or a new name");
        Assert.Equal(FileKind.Fifo, FileStatus.Of(fifo).Kind);
        Assert.DoesNotContain(_dir.FileNames(), n => n.StartsWith('.'));
    }

    [Fact]
    public void An_output_that_is_an_input_is_refused_by_identity_not_by_spelling()
    {
        var wav = Wav("x.wav");
        var codes = Codes("y.codes");
        var before = File.ReadAllBytes(wav);
        var model = ConvertedFixtures.TinyModel;
        Mga.Run("codec", "encode", wav, wav, "--model", model).FailedWith(2, $"output codes file '{wav}' is the input audio itself");
        Mga.Run("codec", "decode", codes, codes, "--model", model).FailedWith(2, "is the codes file itself");
        // another spelling, a symbolic link and a hard link of the same file
        var respelled = Path.Combine(_dir.Path, ".", "x.wav");
        Mga.Run("codec", "encode", wav, respelled, "--model", model).FailedWith(2, "is the input audio itself");
        File.CreateSymbolicLink(_dir.File("link.wav"), wav);
        Mga.Run("generate", "--continue", wav, "--out", _dir.File("link.wav")).FailedWith(2, "is the audio prompt (--continue) itself", $"('{wav}')");
        using (var ln = Process.Start("ln", [wav, _dir.File("hard.wav")])) ln.WaitForExit();
        Mga.Run("edit", "continue", wav, "--out", _dir.File("hard.wav")).FailedWith(2, "is the track itself");
        Mga.Run("edit", "remix", wav, "strings", "--out", wav).FailedWith(2, "is the track itself");
        Mga.Run("codec", "decode", codes, model, "--model", model).FailedWith(2, "is the model itself");
        File.Copy(wav, _dir.File("clip.npy"));
        Mga.Run("embed", "music", _dir.File("clip.npy"), "--model", model, "--out", _dir.File("clip.npy")).FailedWith(2, "is the input file itself");
        Assert.Equal(before, File.ReadAllBytes(wav));
    }

    [Fact]
    public void Missing_output_folders_are_created_by_every_command()
    {
        var model = ConvertedFixtures.TinyModel;
        Mga.Run("codec", "decode", Codes("a.codes"), _dir.File("decoded/a.wav"), "--model", model).Succeeded();
        Mga.Run("codec", "encode", _dir.File("decoded/a.wav"), _dir.File("codes/deeper/a.codes"), "--model", model).Succeeded();
        Mga.Run("convert", FixtureSet.ByName("musicgen-tiny").Directory, _dir.File("out/musicgen.gguf")).Succeeded(); // the README's example
        Assert.True(File.Exists(_dir.File("out/musicgen.gguf")));
        Assert.True(File.Exists(_dir.File("codes/deeper/a.codes")));
    }
}
