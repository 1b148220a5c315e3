using System.Diagnostics;
using System.Globalization;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Llama;

/// <summary>
/// <c>llama</c>: prefill and decode tokens/s of a LLaMA-7B-shaped random model (<see cref="LlamaBenchModel"/>), ours
/// against llama.cpp through LLamaSharp on the same GGUF file. Each side runs in a child process of its own (the
/// reference's ggml must never load into ours), one after the other and in alternating order round by round (ours,
/// reference; reference, ours; ...), so slow minutes of a shared host hit both; each child measures with the same
/// loop (<see cref="LlamaRunProtocol"/>). With one thread the CPU-time rates are the comparable figures on a busy
/// machine; on a quiet one the wall-time rates are the real ones.
/// </summary>
public sealed class LlamaBenchmark : IBenchmark
{
    public string Name => "llama";

    public string Usage =>
        "llama [--types q4_0,q8_0] [--threads 1] [--prompt 64] [--tokens 16] [--repeat 3] [--rounds 5] [--sides ours,llama.cpp] [--seed 7] [--cache DIR]\n" +
        "  sides: ours, ours-plain (matrices not repacked), ours-f16kv (f16 cache, fused attention), llama.cpp (LLamaSharp, its own process)\n" +
        "  (child: llama --child --model FILE --threads N --prompt P --tokens T --repeat R --seed S [--no-repack] [--f16-kv])";

    public int Run(BenchArguments args)
    {
        if (args.Flag("child")) return RunChild(args);
        var types = args.Text("types", "q4_0,q8_0").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(StorageTypes.Parse).ToList();
        var threads = args.Int("threads", 1, 1, 256);
        var prompt = args.Int("prompt", 64, 2, 2048);
        var tokens = args.Int("tokens", 16, 1, 1024);
        var repeat = args.Int("repeat", 3, 1, 100);
        var rounds = args.Int("rounds", 5, 1, 100);
        var sides = args.Text("sides", "ours,llama.cpp").Split(',', StringSplitOptions.RemoveEmptyEntries).ToList();
        var seed = args.Int("seed", 7, 0, int.MaxValue);
        var cache = BenchCache.Directory(args.OptionalText("cache"));
        args.RejectUnknown(Name);
        if (sides.Count == 0 || sides.Any(x => x is not ("ours" or "ours-plain" or "ours-f16kv" or "llama.cpp")))
            throw new BenchUsageException("--sides takes a list of ours, ours-plain, ours-f16kv, llama.cpp");

        Console.WriteLine($"llama: LLaMA-7B shape (dim {LlamaBenchModel.Config.EmbeddingLength}, {LlamaBenchModel.Config.BlockCount} layers, " +
                          $"{LlamaBenchModel.Config.HeadCount} heads, FFN {LlamaBenchModel.Config.FeedForwardLength}, vocab {LlamaBenchModel.Config.VocabSize}), " +
                          $"random weights; prefill {prompt} tokens, then {tokens} decode steps; {repeat} repeats per process, {rounds} alternating rounds; {threads} thread(s)");
        Report.Line("machine", $"{BenchEnvironment.CpuModel()}, {Environment.ProcessorCount} logical CPUs");
        Report.Line("load average", BenchEnvironment.LoadAverage());
        var reference = sides.Contains("llama.cpp") ? LlamaReferenceProcess.Locate() : null;
        var table = new List<IReadOnlyList<string>>();
        foreach (var type in types)
        {
            var model = LlamaBenchModel.Ensure(cache, type, seed);
            var settings = new LlamaRunSettings(model, threads, prompt, tokens, repeat, seed);
            var results = sides.ToDictionary(x => x, _ => new List<Dictionary<string, string>>());
            for (var r = 0; r < rounds; r++)
            {
                var order = sides.ToList();
                if (r % 2 == 1) order.Reverse();
                foreach (var who in order)
                {
                    var result = who == "llama.cpp" ? reference!.Run(settings, verbose: r == 0) : LlamaReferenceProcess.RunOurs(settings, who, verbose: r == 0);
                    results[who].Add(result);
                    Console.WriteLine($"  round {r + 1} {StorageTypes.Name(type)} {who,-9}: prefill {Rate(prompt, result, "prefill_cpu_s")} tok/s (cpu), " +
                                      $"{Rate(prompt, result, "prefill_wall_s")} (wall); decode {Rate(1, result, "step_cpu_s")} tok/s (cpu), " +
                                      $"{Rate(1, result, "step_wall_s")} (wall); peak RSS {result["peak_rss_mib"]} MiB; loadavg {result["loadavg"]}");
                }
            }
            foreach (var (who, list) in results.Where(kv => kv.Value.Count > 0))
                table.Add([StorageTypes.Name(type), who,
                    MedianRate(prompt, list, "prefill_cpu_s"), MedianRate(1, list, "step_cpu_s"),
                    MedianRate(prompt, list, "prefill_wall_s"), MedianRate(1, list, "step_wall_s"),
                    Report.F(list.Select(d => Value(d, "peak_rss_mib")).Max(), 0), Report.F(LlamaRunProtocol.Median(list.Select(d => Value(d, "load_s")).ToList()), 1)]);
            foreach (var ours in new[] { "ours", "ours-plain", "ours-f16kv" }.Where(x => results.ContainsKey(x) && results.ContainsKey("llama.cpp")))
                table.Add([StorageTypes.Name(type), $"{ours} / llama.cpp",
                    Ratio(results, ours, prompt, "prefill_cpu_s"), Ratio(results, ours, 1, "step_cpu_s"),
                    Ratio(results, ours, prompt, "prefill_wall_s"), Ratio(results, ours, 1, "step_wall_s"), "", ""]);
        }
        Console.WriteLine($"medians over rounds (load average now {BenchEnvironment.LoadAverage()}):");
        Report.Table(["type", "side", "prefill tok/s (cpu)", "decode tok/s (cpu)", "prefill tok/s (wall)", "decode tok/s (wall)", "peak RSS MiB", "load s"], table);
        return 0;
    }

    private static int RunChild(BenchArguments args)
    {
        var s = new LlamaRunSettings(args.Text("model", ""), args.Int("threads", 1, 1, 256), args.Int("prompt", 64, 2, 2048),
            args.Int("tokens", 16, 1, 1024), args.Int("repeat", 3, 1, 100), args.Int("seed", 7, 0, int.MaxValue));
        var repack = !args.Flag("no-repack");
        var f16Kv = args.Flag("f16-kv");
        args.RejectUnknown("llama --child");
        var sw = Stopwatch.StartNew();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, s.Threads);
        using var model = LlamaModel.Load(s.Model, backend, repack);
        using var session = model.StartSession(Math.Max(256, s.Prompt + s.Tokens + 8), cacheType: f16Kv ? GgmlType.F16 : GgmlType.F32);
        var load = sw.Elapsed.TotalSeconds;
        Console.WriteLine(LlamaRunProtocol.Measure(new OurRunner(session), s, load, f16Kv ? "ours-f16kv" : repack ? "ours" : "ours-plain"));
        Console.Error.WriteLine($"ours: ggml {GgmlRuntime.Version} (commit {GgmlRuntime.Commit}) from {GgmlRuntime.Loaded?.Directory}; " +
                                $"weights {Report.MiB(model.Weights.ResidentBytes)} ({Report.MiB(model.Weights.RepackedBytes)} repacked), " +
                                $"KV cache {Report.MiB(session.CacheBytes)}");
        return 0;
    }

    private sealed class OurRunner(LlamaSession session) : ILlamaRunner
    {
        public void Clear() => session.Truncate(0);
        public void Prefill(int[] tokens) => session.Prefill(tokens);
        public void Step(int token) => session.Step(token);
    }

    private static double Value(Dictionary<string, string> d, string key) => double.Parse(d[key], CultureInfo.InvariantCulture);

    private static string Rate(int count, Dictionary<string, string> d, string key) => Report.F(count / Value(d, key), 2);

    private static string MedianRate(int count, List<Dictionary<string, string>> list, string key) =>
        Report.F(LlamaRunProtocol.Median(list.Select(d => count / Value(d, key)).ToList()), 2);

    private static string Ratio(Dictionary<string, List<Dictionary<string, string>>> r, string ours, int count, string key)
    {
        double M(string who) => LlamaRunProtocol.Median(r[who].Select(d => count / Value(d, key)).ToList());
        return Report.F(M(ours) / M("llama.cpp"), 3);
    }
}
