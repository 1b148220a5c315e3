using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Native.Files;

namespace MusicGen.Assistant.Files;

/// <summary>A file a job reads, named for messages: ("track", "/music/a.wav").</summary>
public readonly record struct NamedInput(string What, string Path);

/// <summary>
/// The one rule for every output path, checked before any work starts (so a long job never fails at its end, and
/// nothing is opened for writing before the check): the output is a regular file (replaced) or a new name; a folder,
/// a device, a FIFO or a socket is refused, and so is any file the job reads (compared by device and inode, so a
/// link or another spelling of the same path is caught). A missing folder is created. Outputs are written to a
/// temporary file beside the target and renamed when complete, so a failed or cancelled job leaves the target as it was.
/// </summary>
public static class OutputFiles
{
    /// <summary>The full path of the output, after checking it and creating its folder.</summary>
    /// <param name="what">How the message names it: "output WAV", "output codes file".</param>
    /// <param name="inputs">The job's inputs; the output may be none of them.</param>
    public static string Require(string path, string what, params IEnumerable<NamedInput> inputs) => AssistantException.Guard(() =>
    {
        var full = Path.GetFullPath(path);
        var status = FileStatus.Of(full);
        switch (status.Kind)
        {
            case FileKind.Missing:
                CreateFolder(full, path, what);
                break;
            case FileKind.Regular:
                RequireNotAnInput(path, what, status, inputs);
                break;
            case FileKind.Directory:
                throw AssistantException.Output($"{what} '{path}' is a folder; give a file name");
            default:
                throw AssistantException.Output($"{what} '{path}' is {FileStatus.Describe(status.Kind)}; write to a regular file or a new name");
        }
        return full;
    });

    /// <summary>Refuses <paramref name="output"/> when it is the same file as one of <paramref name="inputs"/> (e.g. a model set's files).</summary>
    public static void RequireNotAnInput(string output, string what, params IEnumerable<NamedInput> inputs) => AssistantException.Guard(() =>
        RequireNotAnInput(output, what, FileStatus.Of(Path.GetFullPath(output)), inputs));

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

    private static void RequireNotAnInput(string path, string what, FileStatus output, IEnumerable<NamedInput> inputs)
    {
        if (output.Identity is not { } identity) return; // nothing there yet, or no identity on this system
        foreach (var input in inputs)
            if (FileStatus.Of(Path.GetFullPath(input.Path)).Identity == identity)
                throw AssistantException.InvalidRequest(
                    $"{what} '{path}' is the {input.What} itself{(SameSpelling(path, input.Path) ? "" : $" ('{input.Path}')")}; write to a new file so the {input.What} is kept");
    }

    private static bool SameSpelling(string a, string b) => string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), StringComparison.Ordinal);

    private static void CreateFolder(string full, string given, string what)
    {
        var folder = Path.GetDirectoryName(full)!;
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AssistantException.Output($"cannot write {what} '{given}': cannot create the folder '{folder}' ({e.Message})", e);
        }
    }
}
