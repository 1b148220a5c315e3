using System.Runtime.InteropServices;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native;

/// <summary>A compute device as ggml reports it.</summary>
public sealed record DeviceReport(string Name, string Description, string Type, long MemoryFree, long MemoryTotal, string Backend);

/// <summary>A backend registry entry and the features it reports (CPU: AVX2, AVX512, ...).</summary>
public sealed record BackendReport(string Name, IReadOnlyList<DeviceReport> Devices, IReadOnlyList<KeyValuePair<string, string>> Features);

/// <summary>What the loaded ggml offers: for `mga doctor` and logs.</summary>
public static unsafe class BackendInventory
{
    public static IReadOnlyList<BackendReport> Describe()
    {
        GgmlRuntime.EnsureInitialized();
        var result = new List<BackendReport>();
        var regCount = (long)GgmlBackendApi.ggml_backend_reg_count();
        for (var r = 0; r < regCount; r++)
        {
            var reg = GgmlBackendApi.ggml_backend_reg_get((nuint)r);
            var regName = Str(GgmlBackendApi.ggml_backend_reg_name(reg));
            var devices = new List<DeviceReport>();
            var devCount = (long)GgmlBackendApi.ggml_backend_reg_dev_count(reg);
            for (var d = 0; d < devCount; d++)
            {
                var dev = GgmlBackendApi.ggml_backend_reg_dev_get(reg, (nuint)d);
                nuint free, total;
                GgmlBackendApi.ggml_backend_dev_memory(dev, &free, &total);
                var type = GgmlBackendApi.ggml_backend_dev_type(dev) switch { 0 => "CPU", 1 => "GPU", 2 => "iGPU", 3 => "accelerator", var x => $"type {x}" };
                devices.Add(new DeviceReport(Str(GgmlBackendApi.ggml_backend_dev_name(dev)), Str(GgmlBackendApi.ggml_backend_dev_description(dev)),
                    type, (long)free, (long)total, regName));
            }
            result.Add(new BackendReport(regName, devices, Features(reg)));
        }
        return result;
    }

    private static List<KeyValuePair<string, string>> Features(nint reg)
    {
        var list = new List<KeyValuePair<string, string>>();
        var fn = (delegate* unmanaged<nint, GgmlBackendFeature*>)GgmlBackendApi.ggml_backend_reg_get_proc_address(reg, "ggml_backend_get_features");
        if (fn == null) return list;
        for (var f = fn(reg); f != null && f->Name != 0; f++)
            list.Add(new(Str(f->Name), Str(f->Value)));
        return list;
    }

    private static string Str(nint p) => p == 0 ? "" : Marshal.PtrToStringUTF8(p) ?? "";
}
