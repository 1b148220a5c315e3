using MusicGen.Assistant.Formats.Safetensors;

namespace MusicGen.Assistant.Formats.Common;

/// <summary>
/// Named tensors of a checkpoint, whatever its file format (safetensors directory, PyTorch .pth zip), read one at a
/// time so that multi-GB checkpoints are never held whole. Shapes are in PyTorch order (slowest dimension first).
/// </summary>
/// <remarks>Element types use safetensors' names (F32, F16, BF16, ...), the vocabulary every reader shares.</remarks>
public interface ITensorCheckpoint : IDisposable
{
    /// <summary>The checkpoint's path (file or directory), for messages.</summary>
    string Source { get; }

    /// <summary>Tensor names, in the checkpoint's own order.</summary>
    IEnumerable<string> Names { get; }

    bool Contains(string name);

    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the closest names.</exception>
    long[] Shape(string name);

    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the closest names.</exception>
    SafetensorsDType DType(string name);

    /// <summary>The tensor as float32, row-major (F32 copied; F16, BF16 widened exactly; F64 rounded).</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the closest names.</exception>
    float[] ReadFloat32(string name);
}
