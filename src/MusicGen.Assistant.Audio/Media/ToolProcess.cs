using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace MusicGen.Assistant.Audio.Media;

/// <summary>
/// One run of ffmpeg or ffprobe: arguments passed as a list (no shell, no quoting), stdout and stdin as raw streams,
/// stderr collected in the background (last lines kept) so the pipes never deadlock. Cancellation and Dispose kill
/// the process.
/// </summary>
internal sealed class ToolProcess : IDisposable
{
    private const int MaxStderrLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _stderr = new();
    private readonly CancellationToken _cancellation;
    private CancellationTokenRegistration _registration;
    private bool _disposed;

    private ToolProcess(Process process, CancellationToken cancellation)
    {
        _process = process;
        _cancellation = cancellation;
    }

    /// <summary>The tool's stdout, unbuffered bytes.</summary>
    public Stream Output => _process.StandardOutput.BaseStream;

    /// <summary>The tool's stdin; only for processes started with <c>writesInput</c>.</summary>
    public Stream Input => _process.StandardInput.BaseStream;

    /// <summary>The last lines of stderr received so far.</summary>
    public string ErrorText
    {
        get
        {
            lock (_stderr)
                return string.Join('\n', _stderr);
        }
    }

    public static ToolProcess Start(string executable, IEnumerable<string> arguments, bool writesInput, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        var info = new ProcessStartInfo(executable)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in arguments)
            info.ArgumentList.Add(argument);
        var process = new Process { StartInfo = info };
        var tool = new ToolProcess(process, cancellation);
        process.ErrorDataReceived += (_, e) => tool.OnErrorLine(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new IOException($"cannot start '{executable}': {e.Message}", e);
        }
        process.BeginErrorReadLine();
        if (!writesInput)
            process.StandardInput.Close(); // an immediate end of input: the tool never waits on our stdin
        tool._registration = cancellation.Register(tool.Kill);
        return tool;
    }

    /// <summary>Waits for the exit (and the end of stderr); returns the exit code. Throws if the run was cancelled.</summary>
    public int WaitForExit()
    {
        _process.WaitForExit();
        _cancellation.ThrowIfCancellationRequested();
        return _process.ExitCode;
    }

    /// <summary>Ends the input stream so the tool can finish.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Stops the tool now (no effect once it has exited).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited or never started.
        }
        catch (Win32Exception)
        {
            // Exiting while we tried; nothing left to stop.
        }
    }

    public void Dispose()
    {
        if (_disposed)
            return;
        _disposed = true;
        _registration.Dispose();
        bool running;
        try
        {
            running = !_process.HasExited;
        }
        catch (InvalidOperationException)
        {
            running = false;
        }
        if (running)
        {
            Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }

    private void OnErrorLine(string? line)
    {
        if (line is null)
            return;
        lock (_stderr)
        {
            _stderr.Enqueue(line);
            if (_stderr.Count > MaxStderrLines)
                _stderr.Dequeue();
        }
    }
}
