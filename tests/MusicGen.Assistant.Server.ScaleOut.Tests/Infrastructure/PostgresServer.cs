using Npgsql;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster (initdb + pg_ctl from Debian's packages) on a free loopback port, its data and socket
/// in a temp folder, trust authentication for the superuser "postgres" on 127.0.0.1 only. PostgreSQL refuses to run
/// as root, so as root (CI) the cluster belongs to the user "nobody" and its programs run through runuser.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string _dir;
    private string Data => Path.Combine(_dir, "data");
    private static bool IsRoot => Environment.UserName == "root";

    public int Port { get; } = FreePort.Next();

    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=5;Command Timeout=30";

    public async Task InitializeAsync()
    {
        await StopLeftoversAsync();
        await File.WriteAllTextAsync(Path.Combine(_dir, "owner.pid"), Environment.ProcessId.ToString());
        if (IsRoot) await ChildProcess.RunAsync("chown", ["nobody:nogroup", _dir], TimeSpan.FromSeconds(10));
        await Run("initdb", ["-D", Data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-locale", "--no-sync"], TimeSpan.FromSeconds(120));
        await StartAsync();
    }

    public Task StartAsync() => Run("pg_ctl", ["-D", Data, "-l", Path.Combine(_dir, "server.log"), "-w", "-t", "60", "-o",
        $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200", "start"], TimeSpan.FromSeconds(90));

    /// <summary>Stops the server (fast shutdown: open sessions are ended, as in a restart by an operator).</summary>
    public Task StopAsync() => Run("pg_ctl", ["-D", Data, "-m", "fast", "-w", "-t", "60", "stop"], TimeSpan.FromSeconds(90));

    /// <summary>A new empty database; returns its connection string.</summary>
    public async Task<string> NewDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 33, 60)];
        await using var db = new NpgsqlConnection(ConnectionString() + ";Pooling=false"); // a pooled one may be from before a restart
        await db.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\";", db);
        await cmd.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    // a test run that was killed (never disposed) leaves its cluster running: stop those whose owner process is gone
    private static async Task StopLeftoversAsync()
    {
        foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), "mga-postgres-*"))
        {
            var owner = Path.Combine(dir, "owner.pid");
            if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner), out var pid) || Directory.Exists($"/proc/{pid}")) continue;
            var stale = new PostgresServer(dir);
            await stale.DisposeAsync();
        }
    }

    private PostgresServer(string dir) => _dir = dir;

    public PostgresServer() : this(Directory.CreateTempSubdirectory("mga-postgres-").FullName) { }

    private Task<string> Run(string program, string[] args, TimeSpan timeout)
    {
        var path = Path.Combine(ServerBinaries.PostgresBin!, program);
        return IsRoot ? ChildProcess.RunAsync("runuser", ["-u", "nobody", "--", path, .. args], timeout) : ChildProcess.RunAsync(path, args, timeout);
    }

    public async ValueTask DisposeAsync()
    {
        try { await Run("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(60)); }
        catch (Exception) { } // not running
        NpgsqlConnection.ClearAllPools();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
