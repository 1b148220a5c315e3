using System.Diagnostics;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>
/// A private redis-server on a free loopback port with its data in a temp folder, persisting every write (AOF with
/// fsync always), so stopping and starting it again loses nothing, as the service's deployment notes require.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mga-redis-").FullName;
    private Process? _process;

    public int Port { get; } = FreePort.Next();

    public string Configuration => $"127.0.0.1:{Port}";

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(ServerBinaries.RedisServer!) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _dir, "--appendonly", "yes", "--appendfsync", "always",
                     "--save", "", "--daemonize", "no", "--logfile", Path.Combine(_dir, "redis.log"), "--protected-mode", "yes" })
            start.ArgumentList.Add(a);
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        await FreePort.WaitListeningAsync(Port, TimeSpan.FromSeconds(20), Log);
    }

    /// <summary>Stops the server as an operator would (SIGTERM: it finishes writing its data and exits).</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } p) return;
        Signals.Send(p.Id, Signals.Term);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await p.WaitForExitAsync(cts.Token);
        _process = null;
    }

    private string Log() => File.Exists(Path.Combine(_dir, "redis.log")) ? File.ReadAllText(Path.Combine(_dir, "redis.log")) : "(no log)";

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
