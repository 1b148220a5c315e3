namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>
/// Where Debian's redis-server and PostgreSQL server programs are (installed by <c>scripts/setup.sh --deps-only</c>),
/// and why the tests that need them cannot run when they are missing.
/// </summary>
public static class ServerBinaries
{
    public static string? RedisServer { get; } = Find("redis-server", ["/usr/bin/redis-server", "/usr/local/bin/redis-server"]);

    /// <summary>The bin folder of the newest PostgreSQL under /usr/lib/postgresql (initdb, pg_ctl, postgres).</summary>
    public static string? PostgresBin { get; } = Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(b => File.Exists(Path.Combine(b, "initdb")) && File.Exists(Path.Combine(b, "pg_ctl")))
            .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var v) ? v : 0).FirstOrDefault()
        : null;

    /// <summary>Null when both are there; else what is missing and how to install it.</summary>
    public static string? MissingReason =>
        RedisServer is null && PostgresBin is null ? "redis-server and PostgreSQL are not installed (scripts/setup.sh --deps-only installs Debian's redis-server and postgresql)"
        : RedisServer is null ? "redis-server is not installed (scripts/setup.sh --deps-only installs Debian's redis-server)"
        : PostgresBin is null ? "PostgreSQL's initdb/pg_ctl are not under /usr/lib/postgresql/*/bin (scripts/setup.sh --deps-only installs Debian's postgresql)"
        : null;

    private static string? Find(string name, string[] candidates) =>
        candidates.FirstOrDefault(File.Exists)
        ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}

/// <summary>A test that needs real Redis and PostgreSQL servers: skipped, saying why, only when their programs are missing.</summary>
public sealed class ScaleOutFactAttribute : FactAttribute
{
    public ScaleOutFactAttribute()
    {
        if (ServerBinaries.MissingReason is { } why) Skip = why;
    }
}
