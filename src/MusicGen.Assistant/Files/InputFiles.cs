using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Files;

/// <summary>
/// Checks the files a job was given before any work starts, so the error names the input: it must exist and be a
/// regular file (a FIFO would block the reader forever, a device would never end), never opened to find out.
/// </summary>
public static class InputFiles
{
    /// <summary>The full path of an input file that must exist.</summary>
    /// <param name="what">How the message names it: "input audio", "codes file", "audio prompt (--continue)".</param>
    public static string Require(string path, string what) => AssistantException.Guard(() =>
    {
        var full = Path.GetFullPath(path);
        var status = FileStatus.Of(full);
        return status.Kind switch
        {
            FileKind.Regular => full,
            FileKind.Missing => throw AssistantException.BadInput($"{what} '{path}' does not exist"),
            FileKind.Directory => throw AssistantException.BadInput($"{what} '{path}' is a folder, not a file"),
            _ => throw AssistantException.BadInput($"{what} '{path}' is {FileStatus.Describe(status.Kind)}, not a regular file"),
        };
    });
}
