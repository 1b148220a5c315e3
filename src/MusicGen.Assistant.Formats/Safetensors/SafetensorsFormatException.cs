namespace MusicGen.Assistant.Formats.Safetensors;

/// <summary>A safetensors file (or sharded checkpoint index) is malformed; the message names the file and tensor.</summary>
public sealed class SafetensorsFormatException : FormatException
{
    public SafetensorsFormatException(string filePath, string? tensorName, string problem, Exception? innerException = null)
        : base(Compose(filePath, tensorName, problem), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
    }

    /// <summary>The file that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>The tensor (or header key) concerned, when the problem is tied to one.</summary>
    public string? TensorName { get; }

    private static string Compose(string filePath, string? tensorName, string problem) =>
        tensorName is null
            ? $"Safetensors file '{filePath}': {problem}"
            : $"Safetensors file '{filePath}', tensor '{tensorName}': {problem}";
}
