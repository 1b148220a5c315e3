using MusicGen.Assistant.Native;
using MusicGen.Assistant.Native.Interop;

namespace MusicGen.Assistant.Native.Tests;

/// <summary>The loaded library is the pinned one and our struct mirrors match it.</summary>
public unsafe class RuntimeTests
{
    [Fact]
    public void Tensor_struct_layout_matches_the_library()
    {
        GgmlRuntime.EnsureInitialized();
        Assert.Equal(336, sizeof(GgmlTensorStruct));
        Assert.Equal(368, (long)GgmlCore.ggml_tensor_overhead());
        using var ctx = new GgmlContext(8);
        var t = ctx.NewTensor(GgmlType.F16, 6, 5, 4, 3).Named("probe");
        Assert.Equal([6L, 5, 4, 3], t.Shape);
        Assert.Equal(2, t.Nb(0));
        Assert.Equal(12, t.Nb(1));
        Assert.Equal(60, t.Nb(2));
        Assert.Equal(240, t.Nb(3));
        Assert.Equal(GgmlType.F16, t.Type);
        Assert.Equal("probe", t.Name);
        Assert.Equal(360L * 2, (long)GgmlCore.ggml_nbytes(t.Ptr));
        Assert.Equal(360L, GgmlCore.ggml_nelements(t.Ptr));
        var v = ctx.View(t, [6, 2], [12], 24);
        Assert.Equal((nint)t.Ptr, v.Ptr->ViewSrc);
        Assert.Equal(24UL, v.Ptr->ViewOffs);
    }

    [Fact]
    public void Version_and_backends_are_reported()
    {
        Assert.Equal(NativeLibraryLocator.PinnedGgmlVersion, GgmlRuntime.Version);
        var backends = BackendInventory.Describe();
        var cpu = Assert.Single(backends, b => b.Name == "CPU");
        Assert.Contains(cpu.Devices, d => d.Type == "CPU" && d.MemoryTotal > 0);
        Assert.Contains(cpu.Features, f => f.Key == "AVX2");
    }

    [Fact]
    public void Cpu_backend_uses_the_requested_thread_count()
    {
        using var b = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        Assert.True(b.IsCpu);
        Assert.Equal(1, b.Threads);
        Assert.Throws<ArgumentOutOfRangeException>(() => ComputeBackend.Create(BackendKind.Cpu, threads: 0));
    }

    [Fact]
    public void Asking_for_a_gpu_without_one_says_what_to_do()
    {
        if (BackendInventory.Describe().Any(b => b.Devices.Any(d => d.Type == "GPU"))) return; // a GPU machine: nothing to refuse
        var e = Assert.Throws<NativeRuntimeException>(() => ComputeBackend.Create(BackendKind.Gpu));
        Assert.Contains("fetch-natives.sh cuda", e.Message);
    }

    [Fact]
    public void Locator_reports_every_place_and_the_command_to_run()
    {
        var empty = Directory.CreateTempSubdirectory().FullName;
        var (_, probes) = NativeLibraryLocator.Locate(new NativeOptions { Directory = empty });
        Assert.Equal("no libggml-base.so", probes[0].Detail);
        Assert.Single(probes); // an explicit directory is not silently replaced by the cache
        var message = NativeLibraryLocator.NotFoundMessage(probes);
        Assert.Contains(empty, message);
        Assert.Contains("scripts/fetch-natives.sh cpu", message);
    }

    [Fact]
    public void Locator_accepts_a_user_build_named_like_llama_cpp()
    {
        var real = GgmlRuntime.EnsureInitialized();
        var dir = Directory.CreateTempSubdirectory().FullName;
        File.CreateSymbolicLink(Path.Combine(dir, "libggml-base.so"), real.BaseLibrary);
        File.CreateSymbolicLink(Path.Combine(dir, "libggml.so"), real.GgmlLibrary);
        var cpu = real.BackendLibraries.First(b => Path.GetFileName(b).StartsWith("libggml-cpu", StringComparison.Ordinal));
        File.CreateSymbolicLink(Path.Combine(dir, "libggml-cpu-haswell.so"), cpu);
        var (found, _) = NativeLibraryLocator.Locate(new NativeOptions { Directory = dir });
        Assert.NotNull(found);
        Assert.Equal(dir, found.Directory);
        Assert.EndsWith("libggml.so", found.GgmlLibrary);
        Assert.Single(found.BackendLibraries);
    }
}
