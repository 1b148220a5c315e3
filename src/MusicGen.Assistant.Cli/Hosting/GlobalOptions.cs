using System.CommandLine;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Cli.Hosting;

/// <summary>Options every command accepts (placed before or after the command name).</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Natives { get; } = new("--natives")
    {
        Description = $"Folder holding the ggml libraries (default: ${NativeOptions.DirectoryVariable}, then the project cache).",
        HelpName = "DIR",
        Recursive = true,
    };

    public Option<int?> Threads { get; } = new NumberOption<int?>("--threads",
        new NumberRange(1, 1024, "between 1 and 1024 (a whole number of threads)", Integer: true))
    {
        Description = $"CPU threads for ggml (default: ${NativeOptions.ThreadsVariable}, else the CPUs this process may use that other processes leave free; never more than it may use).",
        HelpName = "N",
        Recursive = true,
    };

    public Option<string> Device { get; } = new("--device")
    {
        Description = "Compute device: auto (a GPU when one is usable, else the CPU), cpu or gpu.",
        DefaultValueFactory = _ => "auto",
        Recursive = true,
    };

    public Option<string> KvCache { get; } = new("--kv-cache")
    {
        Description = "The attention caches of the music decoder and the assistant's LLaMA: f32 (default; the reference's numbers) or f16 (half their memory and reads on long tracks and conversations; logits within f16 rounding).",
        DefaultValueFactory = _ => "f32",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show ggml's own log and the stack trace of errors.",
        Recursive = true,
    };

    public GlobalOptions()
    {
        Device.AcceptOnlyFromAmong("auto", "cpu", "gpu");
        KvCache.AcceptOnlyFromAmong("f32", "f16");
    }

    public void AddTo(Command root)
    {
        root.Options.Add(Natives);
        root.Options.Add(Threads);
        root.Options.Add(Device);
        root.Options.Add(KvCache);
        root.Options.Add(Verbose);
    }
}
