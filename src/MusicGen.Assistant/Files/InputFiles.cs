using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Files;

/// <summary>Checks the files a job was given before any work starts, so the error names the input.</summary>
public static class InputFiles
{
    /// <summary>The full path of an input file that must exist.</summary>
    /// <param name="what">How the message names it: "input audio", "codes file", "audio prompt (--continue)".</param>
    public static string Require(string path, string what)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw AssistantException.BadInput($"{what} '{path}' is a folder, not a file");
        if (!File.Exists(full)) throw AssistantException.BadInput($"{what} '{path}' does not exist");
        return full;
    }
}
