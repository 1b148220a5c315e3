using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Llama;

/// <summary>
/// Runs one side of the <c>llama</c> comparison as a child process and reads its <c>RESULT</c> line: ours (this
/// benchmark app with <c>llama --child</c>) or llama.cpp (the separate bench/MusicGen.Assistant.LlamaReference app,
/// LLamaSharp 0.30.0 with its own ggml build, which must never load into our process). The reference app is built
/// on first use when its output is missing.
/// </summary>
public sealed class LlamaReferenceProcess
{
    private const string Project = "MusicGen.Assistant.LlamaReference";

    private LlamaReferenceProcess(string dll) => Dll = dll;

    public string Dll { get; }

    public static LlamaReferenceProcess Locate()
    {
        var repo = NativeLibraryLocator.FindRepositoryRoot() ?? throw new BenchUsageException("cannot find the repository (MusicGen.Assistant.sln) above this program");
        var dir = Path.Combine(repo, "bench", Project);
        var dll = Path.Combine(dir, "bin", "Release", "net10.0", Project + ".dll");
        if (!File.Exists(dll))
        {
            Console.WriteLine($"building {dir} (LLamaSharp 0.30.0 + LLamaSharp.Backend.Cpu 0.30.0) ...");
            var build = Start("dotnet", ["build", "-c", "Release", "-nologo", "-v", "q", dir]);
            build.StandardOutput.ReadToEnd();
            build.WaitForExit();
            if (build.ExitCode != 0 || !File.Exists(dll)) throw new BenchUsageException($"building {dir} failed; run: dotnet build -c Release {dir}");
        }
        return new LlamaReferenceProcess(dll);
    }

    public Dictionary<string, string> Run(LlamaRunSettings s, bool verbose) =>
        Collect(Start("dotnet", [Dll, .. s.ToArguments()]), "llama.cpp", verbose);

    /// <summary>This benchmark app again, in a process of its own, with <c>llama --child</c>.</summary>
    /// <param name="side">ours, ours-plain (no repacking) or ours-f16kv (an f16 cache read by the fused attention).</param>
    public static Dictionary<string, string> RunOurs(LlamaRunSettings s, string side, bool verbose)
    {
        var self = typeof(LlamaReferenceProcess).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        string[] prefix = Path.GetFileNameWithoutExtension(host) == "dotnet" ? [self] : [];
        string[] options = side switch { "ours-plain" => ["--no-repack"], "ours-f16kv" => ["--f16-kv"], _ => [] };
        return Collect(Start(host, [.. prefix, "llama", "--child", .. s.ToArguments(), .. options]), side, verbose);
    }

    private static Process Start(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        return Process.Start(info) ?? throw new InvalidOperationException($"cannot start {file}");
    }

    private static Dictionary<string, string> Collect(Process p, string who, bool verbose)
    {
        var errors = p.StandardError.ReadToEndAsync();
        string? result = null;
        while (p.StandardOutput.ReadLine() is { } line)
        {
            if (line.StartsWith(LlamaRunProtocol.ResultPrefix, StringComparison.Ordinal)) result = line;
            else Console.WriteLine($"    [{who}] {line}");
        }
        p.WaitForExit();
        var stderr = errors.Result;
        if (verbose || p.ExitCode != 0 || result is null)
            foreach (var line in stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)) Console.WriteLine($"    [{who}] {line}");
        if (p.ExitCode != 0 || result is null) throw new InvalidOperationException($"the {who} process exited with {p.ExitCode} and no result");
        return LlamaRunProtocol.ParseResult(result);
    }
}
