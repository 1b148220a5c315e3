namespace MusicGen.Assistant.Training.Tests;

/// <summary>A temporary folder removed when the test ends.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Path = Directory.CreateTempSubdirectory("mga-train-").FullName;

    public string Path { get; }

    public string File(string name, string? text = null)
    {
        var p = System.IO.Path.Combine(Path, name);
        if (text is not null) System.IO.File.WriteAllText(p, text);
        return p;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
