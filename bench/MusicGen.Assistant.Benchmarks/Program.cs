using MusicGen.Assistant.Benchmarks.Encodec;
using MusicGen.Assistant.Benchmarks.Encoders;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Benchmarks.MusicGen;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks;

/// <summary>
/// Plain timed benchmarks on realistic shapes: <c>dotnet run -c Release --project bench/MusicGen.Assistant.Benchmarks -- &lt;name&gt; [options]</c>.
/// Each subcommand is one <see cref="IBenchmark"/>; results go to stdout as text to paste into BENCHMARKS.md.
/// </summary>
public static class Program
{
    private static readonly IBenchmark[] Benchmarks =
    [
        new EncodecBenchmark(),
        new EncodecPartsBenchmark(),
        new MusicGenBenchmark(),
        new MertBenchmark(),
        new VisionBenchmark(VisionFamily.ViT),
        new VisionBenchmark(VisionFamily.ViViT),
        new EncoderAttentionBenchmark(),
        new Threads.ThreadsBenchmark(),
        new ProductFormsBenchmark(),
        new EncoderProductsBenchmark(),
        new Training.MusicGenFineTuneBenchmark(),
        new Training.Stage1StepBenchmark(),
        new Llama.LlamaBenchmark(),
        new Assistant.AssistantMemoryBenchmark(),
        new Assistant.TurnBenchmark(),
    ];

    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp();
            return args.Length == 0 ? 2 : 0;
        }
        var bench = Benchmarks.FirstOrDefault(b => b.Name == args[0]);
        if (bench is null)
        {
            Console.Error.WriteLine($"unknown benchmark '{args[0]}'");
            PrintHelp();
            return 2;
        }
        if (args.Skip(1).Any(a => a is "-h" or "--help"))
        {
            Console.WriteLine($"usage: {bench.Usage}");
            return 0;
        }
        try
        {
            return bench.Run(new BenchArguments(args.Skip(1)));
        }
        catch (BenchUsageException e)
        {
            Console.Error.WriteLine($"{bench.Name}: {e.Message}");
            Console.Error.WriteLine($"usage: {bench.Usage}");
            return 2;
        }
        catch (NativeRuntimeException e)
        {
            Console.Error.WriteLine(e.Message);
            return 3;
        }
    }

    private static void PrintHelp()
    {
        Console.WriteLine("MusicGen.Assistant benchmarks. Subcommands:");
        foreach (var b in Benchmarks) Console.WriteLine("  " + b.Usage.Replace("\n", "\n  "));
    }
}
