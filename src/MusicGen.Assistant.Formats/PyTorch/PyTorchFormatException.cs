namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>A PyTorch checkpoint (torch.save zip) is malformed or unsupported; the message names the file and the part concerned.</summary>
public class PyTorchFormatException : FormatException
{
    public PyTorchFormatException(string filePath, string? part, string problem, Exception? innerException = null)
        : base(Compose(filePath, part, problem), innerException)
    {
        FilePath = filePath;
        Part = part;
    }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>The zip entry, pickle position or tensor concerned, when the problem is tied to one.</summary>
    public string? Part { get; }

    private static string Compose(string filePath, string? part, string problem) =>
        part is null ? $"PyTorch checkpoint '{filePath}': {problem}" : $"PyTorch checkpoint '{filePath}', {part}: {problem}";
}
