using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

// Compiled into both benchmark processes (ours and the LLamaSharp reference, which links this file): the same
// measurement loop and result line on both sides, and nothing here touches a native library but libc.
namespace MusicGen.Assistant.Benchmarks.Llama;

/// <summary>One side of the comparison: a loaded model with an empty cache after <see cref="Clear"/>.</summary>
public interface ILlamaRunner
{
    /// <summary>Forgets every position (the next prefill starts at 0).</summary>
    void Clear();

    /// <summary>Feeds the tokens at the next positions in one batch; the logits of the last one are computed and read.</summary>
    void Prefill(int[] tokens);

    /// <summary>Feeds one token at the next position; its logits are computed and read.</summary>
    void Step(int token);
}

/// <summary>What a child process is asked to measure.</summary>
public sealed record LlamaRunSettings(string Model, int Threads, int Prompt, int Tokens, int Repeat, int Seed)
{
    public static LlamaRunSettings Parse(IReadOnlyList<string> args)
    {
        string? Get(string name)
        {
            for (var i = 0; i + 1 < args.Count; i++) if (args[i] == "--" + name) return args[i + 1];
            return null;
        }
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new LlamaRunSettings(Get("model") ?? throw new ArgumentException("--model PATH is required"),
            Int("threads", 1), Int("prompt", 64), Int("tokens", 16), Int("repeat", 3), Int("seed", 7));
    }

    public string[] ToArguments() =>
        ["--model", Model, "--threads", I(Threads), "--prompt", I(Prompt), "--tokens", I(Tokens), "--repeat", I(Repeat), "--seed", I(Seed)];

    private static string I(int x) => x.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// The measurement both sides run: one warm-up (prefill + 2 steps), then <c>Repeat</c> times: clear, prefill
/// <c>Prompt</c> tokens, decode <c>Tokens</c> single steps. Each phase is timed by the process's CPU time
/// (getrusage: user + system of every thread, so other processes' share of the cores is not counted) and by wall
/// time. Prints one <c>RESULT</c> line: medians over the repeats of seconds per prefill and per decoded token.
/// </summary>
public static class LlamaRunProtocol
{
    public const string ResultPrefix = "RESULT ";

    public static int[] Tokens(int length, int seed, int pieces = 600)
    {
        var rng = new Random(seed);
        var ids = new int[length];
        ids[0] = 1; // BOS
        for (var i = 1; i < length; i++) ids[i] = 3 + rng.Next(pieces - 3);
        return ids;
    }

    public static string Measure(ILlamaRunner runner, LlamaRunSettings s, double loadSeconds, string side)
    {
        var prompt = Tokens(s.Prompt, s.Seed);
        var steps = Tokens(s.Tokens + 1, s.Seed + 1)[1..];
        runner.Clear();
        runner.Prefill(prompt);
        runner.Step(steps[0]);
        runner.Step(steps[1 % steps.Length]);
        var prefillCpu = new List<double>();
        var prefillWall = new List<double>();
        var stepCpu = new List<double>();
        var stepWall = new List<double>();
        for (var r = 0; r < s.Repeat; r++)
        {
            runner.Clear();
            var (c0, w0) = (CpuSeconds(), Stopwatch.GetTimestamp());
            runner.Prefill(prompt);
            prefillCpu.Add(CpuSeconds() - c0);
            prefillWall.Add(Stopwatch.GetElapsedTime(w0).TotalSeconds);
            (c0, w0) = (CpuSeconds(), Stopwatch.GetTimestamp());
            foreach (var t in steps) runner.Step(t);
            stepCpu.Add((CpuSeconds() - c0) / steps.Length);
            stepWall.Add(Stopwatch.GetElapsedTime(w0).TotalSeconds / steps.Length);
        }
        return ResultPrefix + string.Join(' ',
            $"side={side}", $"load_s={F(loadSeconds)}",
            $"prefill_cpu_s={F(Median(prefillCpu))}", $"prefill_wall_s={F(Median(prefillWall))}",
            $"step_cpu_s={F(Median(stepCpu))}", $"step_wall_s={F(Median(stepWall))}",
            $"peak_rss_mib={F(PeakRssMib())}", $"loadavg={LoadAverage().Replace(' ', '/')}");
    }

    /// <summary>Parses a RESULT line into its fields.</summary>
    public static Dictionary<string, string> ParseResult(string line) =>
        line[ResultPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(f => f.Split('=', 2)).ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "");

    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>User + system CPU seconds of this process (all its threads), microsecond resolution.</summary>
    public static double CpuSeconds()
    {
        if (getrusage(0, out var u) != 0) throw new InvalidOperationException("getrusage failed");
        return u.UserSeconds + u.UserMicros / 1e6 + u.SystemSeconds + u.SystemMicros / 1e6;
    }

    public static string LoadAverage()
    {
        try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); }
        catch (IOException) { return "unknown"; }
    }

    private static double PeakRssMib()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return long.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
        return double.NaN;
    }

    private static string F(double x) => x.ToString("G6", CultureInfo.InvariantCulture);

    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicros, SystemSeconds, SystemMicros;
        public long MaxRss, IxRss, IdRss, IsRss, MinFlt, MajFlt, NSwap, InBlock, OuBlock, MsgSnd, MsgRcv, NSignals, NvCsw, NivCsw;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, out RUsage usage);
}
