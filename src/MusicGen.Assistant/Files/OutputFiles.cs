using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Files;

/// <summary>Checks where a job will write before any work starts, so a long job never fails at its very end.</summary>
public static class OutputFiles
{
    /// <summary>The full path of an output file whose folder must exist (the file itself is replaced).</summary>
    public static string Require(string path, string what)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw AssistantException.Output($"{what} '{path}' is a folder; give a file name");
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw AssistantException.Output($"cannot write {what} '{path}': the folder '{folder}' does not exist");
        return full;
    }

    /// <summary>Creates a hidden file beside <paramref name="full"/> and removes it: fails now when the folder cannot take the file.</summary>
    public static void CheckWritable(string full, string given, string what)
    {
        var probe = Path.Combine(Path.GetDirectoryName(full)!, $".mga-write-check-{Guid.NewGuid():N}");
        try
        {
            using (File.Create(probe, 1, FileOptions.DeleteOnClose)) { }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AssistantException.Output($"cannot write {what} '{given}': {e.Message}", e);
        }
    }
}
