namespace MusicGen.Assistant.Native;

/// <summary>A tensor was refused because its context holds <see cref="MaxTensors"/> already (a caller that sizes contexts by estimate may retry larger).</summary>
public sealed class GgmlContextFullException(int maxTensors)
    : GgmlException($"ggml context is full ({maxTensors} tensors); the graph needs a larger capacity")
{
    public int MaxTensors { get; } = maxTensors;
}
