namespace MusicGen.Assistant.Formats.Gguf;

/// <summary>A GGUF file is malformed or lacks what was asked of it; the message names the file and key or tensor.</summary>
public sealed class GgufFormatException : FormatException
{
    public GgufFormatException(string filePath, string? subject, string problem, Exception? innerException = null)
        : base(subject is null ? $"GGUF file '{filePath}': {problem}" : $"GGUF file '{filePath}', {subject}: {problem}",
            innerException)
    {
        FilePath = filePath;
        Subject = subject;
    }

    /// <summary>The file concerned.</summary>
    public string FilePath { get; }

    /// <summary>What the problem is tied to, e.g. "metadata key 'general.alignment'" or "tensor 'blk.0.attn_q.weight'".</summary>
    public string? Subject { get; }

    internal static string Key(string key) => $"metadata key '{key}'";

    internal static string Tensor(string name) => $"tensor '{name}'";
}
