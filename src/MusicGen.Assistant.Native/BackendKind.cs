namespace MusicGen.Assistant.Native;

/// <summary>Which device computes: the CPU, a GPU (CUDA), or the best one present.</summary>
public enum BackendKind
{
    Auto,
    Cpu,
    Gpu,
}
