namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>Checks the files a command was given before any work starts, so the error names the argument.</summary>
internal static class CliPaths
{
    /// <summary>The full path of an input file that must exist.</summary>
    public static string InputFile(string path, string what)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new CliException($"{what} '{path}' is a folder, not a file");
        if (!File.Exists(full)) throw new CliException($"{what} '{path}' does not exist");
        return full;
    }

    /// <summary>The full path of an output file whose folder must exist (the file itself is replaced).</summary>
    public static string OutputFile(string path, string what)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new CliException($"{what} '{path}' is a folder; give a file name");
        var folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder)) throw new CliException($"cannot write {what} '{path}': the folder '{folder}' does not exist");
        return full;
    }
}
