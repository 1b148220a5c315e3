namespace MusicGen.Assistant.Benchmarks.Harness;

/// <summary>One subcommand of the benchmark app (e.g. <c>encodec</c>); new benchmarks register in Program.</summary>
public interface IBenchmark
{
    string Name { get; }

    /// <summary>The options line shown by --help.</summary>
    string Usage { get; }

    /// <summary>Runs with the options after the subcommand name; returns the process exit code.</summary>
    int Run(BenchArguments args);
}
