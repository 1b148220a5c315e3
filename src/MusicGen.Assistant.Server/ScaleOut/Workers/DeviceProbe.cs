using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>The device a worker computes on and its memory, as ggml reports them, for the worker's announcement.</summary>
public static class DeviceProbe
{
    public sealed record Device(string Kind, string Name, long FreeBytes, long TotalBytes);

    /// <summary>For backend "cpu" the CPU; for "gpu"/"auto" the first GPU ggml offers, else the CPU.</summary>
    public static Device Probe(string? backend)
    {
        try
        {
            var devices = BackendInventory.Describe().SelectMany(b => b.Devices).ToList();
            var wantsGpu = !string.Equals(backend?.Trim(), "cpu", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(backend);
            if (wantsGpu && devices.FirstOrDefault(d => d.Type is "GPU" or "iGPU") is { } gpu)
                return new Device(WorkerAnnouncement.Gpu, gpu.Description.Length > 0 ? gpu.Description : gpu.Name, gpu.MemoryFree, gpu.MemoryTotal);
            if (devices.FirstOrDefault(d => d.Type == "CPU") is { } cpu)
                return new Device(WorkerAnnouncement.Cpu, cpu.Description.Length > 0 ? cpu.Description : cpu.Name, cpu.MemoryFree, cpu.MemoryTotal);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // ggml is not loadable here: the worker will fail its jobs clearly; announce what .NET knows
        }
        var gc = GC.GetGCMemoryInfo();
        return new Device(WorkerAnnouncement.Cpu, "cpu", Math.Max(0, gc.TotalAvailableMemoryBytes - gc.MemoryLoadBytes), gc.TotalAvailableMemoryBytes);
    }
}
