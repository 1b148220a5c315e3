namespace MusicGen.Assistant.Audio.Chroma;

/// <summary>A chroma feature-extractor configuration (preprocessor_config.json) with a missing or invalid field.</summary>
public sealed class ChromaConfigException : FormatException
{
    public ChromaConfigException(string configSource, string field, string problem)
        : base($"{configSource}: '{field}' {problem}")
    {
        ConfigSource = configSource;
        Field = field;
    }

    /// <summary>The file (or other description of where the settings came from).</summary>
    public string ConfigSource { get; }

    /// <summary>The JSON key that is wrong.</summary>
    public string Field { get; }
}
