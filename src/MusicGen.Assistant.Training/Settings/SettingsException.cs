namespace MusicGen.Assistant.Training.Settings;

/// <summary>A settings file (dataset specification or training configuration) that cannot be used: names the file and the field.</summary>
public sealed class SettingsException(string file, string? field, string problem, Exception? inner = null)
    : Exception(field is null ? $"{file}: {problem}" : $"{file}: field '{field}': {problem}", inner)
{
    public string File { get; } = file;
    public string? Field { get; } = field;
}
