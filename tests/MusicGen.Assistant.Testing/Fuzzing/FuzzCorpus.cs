using System.Diagnostics;
using System.Text;
using Xunit.Sdk;

namespace MusicGen.Assistant.Testing.Fuzzing;

/// <summary>
/// Runs a reader over generated inputs and holds it to the hardening contract, per input: it reads the file, or it
/// throws the format's own exception type with a message naming the file; it allocates at most
/// <see cref="BytesPerInputByte"/> × the input's size + <see cref="ConstantBytes"/> on its thread
/// (GC.GetAllocatedBytesForCurrentThread); and it ends within <see cref="Timeout"/> (a generous hang check, not a
/// speed assertion). Each input is written to its own folder under a temporary directory, deleted afterwards.
/// </summary>
public sealed class FuzzCorpus
{
    /// <summary>What the inputs are ("GGUF file", "config.json"), for the report.</summary>
    public required string Format { get; init; }

    /// <summary>Reads the file at the given path the way the application does (open, parse, use).</summary>
    public required Action<string> Read { get; init; }

    /// <summary>The exception types a malformed input may end in.</summary>
    public required IReadOnlyList<Type> Typed { get; init; }

    /// <summary>Whether an error names the input (default: its path or its file name appears in the message).</summary>
    public Func<Exception, string, bool> NamesFile { get; init; } = (e, path) =>
        e.Message.Contains(path, StringComparison.Ordinal) || e.Message.Contains(Path.GetFileName(path), StringComparison.Ordinal);

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
    public long BytesPerInputByte { get; init; } = 64;
    public long ConstantBytes { get; init; } = 32L << 20;

    /// <summary>Runs every input and fails with a report of each broken contract; returns the tally when all held.</summary>
    public FuzzTally AssertHolds(IEnumerable<FuzzInput> inputs)
    {
        var tally = new FuzzTally();
        var failures = new List<string>();
        var root = Directory.CreateTempSubdirectory("mga-fuzz-").FullName;
        try
        {
            var index = 0;
            foreach (var input in inputs)
            {
                var folder = Path.Combine(root, $"case{index++:D5}");
                Directory.CreateDirectory(folder);
                var path = Path.Combine(folder, input.FileName);
                File.WriteAllBytes(path, input.Bytes);
                var problem = RunOne(path, input, tally);
                if (problem is not null) failures.Add($"[{input.Name}] {problem}");
                TryDelete(folder);
            }
        }
        finally
        {
            TryDelete(root);
        }
        if (failures.Count > 0)
        {
            var report = new StringBuilder($"{failures.Count} of {tally.Total} {Format} inputs broke the contract:\n");
            foreach (var f in failures.Take(15)) report.AppendLine("  " + f);
            throw new XunitException(report.ToString());
        }
        return tally;
    }

    private string? RunOne(string path, FuzzInput input, FuzzTally tally)
    {
        Exception? error = null;
        long allocated = 0;
        var thread = new Thread(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            try { Read(path); }
            catch (Exception e) { error = e; }
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }, maxStackSize: 8 << 20) { IsBackground = true, Name = "fuzz case" };
        var watch = Stopwatch.StartNew();
        thread.Start();
        if (!thread.Join(Timeout))
        {
            tally.Hangs++;
            return $"did not end within {Timeout.TotalSeconds:0} s (hang)";
        }
        tally.Total++;
        tally.Elapsed += watch.Elapsed;
        var limit = BytesPerInputByte * input.Bytes.Length + ConstantBytes;
        string? problem = null;
        if (error is null) tally.Read++;
        else if (!Typed.Any(t => t.IsInstanceOfType(error)))
            problem = $"{error.GetType().Name} is not one of {string.Join(", ", Typed.Select(t => t.Name))}: {Shorten(error.Message)}\n{Shorten(error.StackTrace ?? "", 600)}";
        else if (!NamesFile(error, path))
            problem = $"{error.GetType().Name} does not name the file: {Shorten(error.Message)}";
        else tally.Refused++;
        if (problem is null && allocated > limit)
            problem = $"allocated {allocated:N0} bytes for a {input.Bytes.Length:N0}-byte input (limit {limit:N0})";
        tally.MaxAllocated = Math.Max(tally.MaxAllocated, allocated);
        return problem;
    }

    private static string Shorten(string text, int max = 300) => text.Length <= max ? text : text[..max] + "...";

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); }
        catch (IOException) { /* a mapping may still be open; the temp folder is cleaned later */ }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>How a corpus went: inputs read, refused with the typed error, and the largest allocation seen.</summary>
public sealed class FuzzTally
{
    public int Total { get; set; }
    public int Read { get; set; }
    public int Refused { get; set; }
    public int Hangs { get; set; }
    public long MaxAllocated { get; set; }
    public TimeSpan Elapsed { get; set; }

    public override string ToString() =>
        $"{Total} inputs: {Read} read, {Refused} refused with the typed error, max {MaxAllocated:N0} bytes allocated, {Elapsed.TotalSeconds:0.0} s";
}
