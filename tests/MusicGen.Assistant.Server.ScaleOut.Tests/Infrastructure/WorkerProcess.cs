using System.Diagnostics;
using System.Text;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>
/// A real worker: the service's own program (<c>MusicGen.Assistant.Server.dll --role worker</c>) in a separate process,
/// with its output kept for the failure message; killed (SIGKILL), stopped (SIGSTOP) and resumed like a real one.
/// </summary>
public sealed class WorkerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public WorkerProcess(string name, IReadOnlyDictionary<string, string> settings)
    {
        Name = name;
        var program = Path.Combine(AppContext.BaseDirectory, "MusicGen.Assistant.Server.dll");
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(program);
        start.ArgumentList.Add("--role");
        start.ArgumentList.Add("worker");
        foreach (var (key, value) in settings) start.ArgumentList.Add($"--{key}={value}");
        start.ArgumentList.Add($"--Assistant:Worker:Name={name}");
        start.Environment["MGA_THREADS"] = "1";
        start.Environment["DOTNET_gcServer"] = "0";
        _process = Process.Start(start) ?? throw new InvalidOperationException("the worker did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public int Pid => _process.Id;

    public bool Exited => _process.HasExited;

    public string Output { get { lock (_output) return _output.ToString(); } }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    public void Kill()
    {
        Signals.Send(Pid, Signals.Kill);
        _process.WaitForExit(10_000);
    }

    public void Pause() => Signals.Send(Pid, Signals.Stop);

    public void Resume() => Signals.Send(Pid, Signals.Cont);

    public async ValueTask DisposeAsync()
    {
        if (_process.HasExited) return;
        try
        {
            Signals.Send(Pid, Signals.Cont);
            Signals.Send(Pid, Signals.Term); // hands its jobs back and exits
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (Exception)
        {
            if (!_process.HasExited) _process.Kill();
        }
    }
}
