namespace MusicGen.Assistant.Server.Hosting;

/// <summary>
/// The service's settings, section "Assistant" of appsettings.json, environment variables (<c>Assistant__DataDirectory</c>)
/// or the command line (<c>--Assistant:ApiKey=...</c>; <c>mga serve</c> maps its options onto these).
/// </summary>
public sealed class ServerOptions
{
    public const string Section = "Assistant";

    /// <summary>A model set (manifest, its folder or one .gguf); empty: the bundled UNTRAINED demo set, built on first use.</summary>
    public string? ModelSet { get; set; }

    /// <summary>Where the heavy work computes: cpu (the default), gpu or auto.</summary>
    public string Backend { get; set; } = "cpu";

    /// <summary>CPU threads per job; empty: MGA_THREADS, else every processor this process may use.</summary>
    public int? Threads { get; set; }

    /// <summary>The attention caches of the music decoder and the LLaMA: "f32" (the default, the reference's numbers) or "f16" (half their reads).</summary>
    public string KvCache { get; set; } = "f32";

    /// <summary>Conversations (SQLite) and the uploaded and rendered files; empty: ~/.local/share/musicgen-assistant.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>When set, every route but the page's own files needs it (Authorization: Bearer KEY, or X-Api-Key).</summary>
    public string? ApiKey { get; set; }

    /// <summary>Where conversations live: "sqlite" (embedded, the default) or "postgres" (<see cref="Postgres"/>, shared by every node).</summary>
    public string Store { get; set; } = "sqlite";

    /// <summary>What this process does: "all" (web and workers, the default), "web" (HTTP only) or "worker" (jobs only).</summary>
    public string Role { get; set; } = "all";

    /// <summary>Where jobs wait: "local" (in this process, the default) or "redis" (Redis Streams, <see cref="Redis"/>: scale-out).</summary>
    public string Queue { get; set; } = "local";

    /// <summary>Npgsql connection string when <see cref="Store"/> is postgres.</summary>
    public string? Postgres { get; set; }

    /// <summary>StackExchange.Redis configuration ("host:port,password=...") when <see cref="Queue"/> is redis.</summary>
    public string? Redis { get; set; }

    /// <summary>With the redis queue: the directory every node reaches (content-addressed files); empty: DATA/shared.</summary>
    public string? SharedFiles { get; set; }

    /// <summary>Claims, heartbeats and routing of scale-out workers.</summary>
    public ScaleOut.WorkerOptions Worker { get; set; } = new();

    public LimitOptions Limits { get; set; } = new();

    /// <summary>Checks the settings before anything starts; the message names the setting and the value.</summary>
    public ServerOptions Validate()
    {
        static void Fail(string message) => throw Errors.AssistantException.InvalidRequest(message);
        _ = Engine.ConversationEngine.ParseBackend(Backend);
        if (Threads is < 1 or > 1024) Fail($"Assistant:Threads {Threads} is not between 1 and 1024");
        try { _ = Compute.ComputeOptions.ParseKvCache(KvCache); }
        catch (Errors.AssistantException) { Fail($"Assistant:KvCache '{KvCache}' is not f32 or f16"); }
        // store, queue, role and the worker settings, checked against each other (scale-out)
        try { _ = ScaleOut.ScaleOutSettings.From(this); }
        catch (InvalidOperationException e) { Fail(e.Message); }
        var l = Limits;
        if (l.MaxUploadBytes is < 1 or > 4L << 30) Fail($"Assistant:Limits:MaxUploadBytes {l.MaxUploadBytes} is not between 1 and 4 GiB");
        if (l.QueueLength is < 1 or > 10_000) Fail($"Assistant:Limits:QueueLength {l.QueueLength} is not between 1 and 10000");
        if (l.Workers is < 1 or > 64) Fail($"Assistant:Limits:Workers {l.Workers} is not between 1 and 64");
        if (!(l.MaxSeconds > 0 && l.MaxSeconds <= Generation.GenerationLimits.MaxSeconds)) Fail($"Assistant:Limits:MaxSeconds {l.MaxSeconds} is not above 0 and at most {Generation.GenerationLimits.MaxSeconds}");
        if (!(l.DefaultSeconds > 0 && l.DefaultSeconds <= l.MaxSeconds)) Fail($"Assistant:Limits:DefaultSeconds {l.DefaultSeconds} is not above 0 and at most MaxSeconds ({l.MaxSeconds})");
        if (l.MaxMessageChars is < 1 or > 100_000) Fail($"Assistant:Limits:MaxMessageChars {l.MaxMessageChars} is not between 1 and 100000");
        var data = ResolvedDataDirectory;
        if (File.Exists(data)) Fail($"the data directory '{data}' is a file; give a folder (--data or Assistant:DataDirectory)");
        try { Directory.CreateDirectory(data); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail($"cannot create the data directory '{data}': {e.Message}");
        }
        return this;
    }

    public string ResolvedDataDirectory => Path.GetFullPath(string.IsNullOrWhiteSpace(DataDirectory)
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "musicgen-assistant")
        : DataDirectory);
}

/// <summary>What one request may ask for and how much work may wait.</summary>
public sealed class LimitOptions
{
    /// <summary>Largest attachment accepted (bytes); larger uploads get 413.</summary>
    public long MaxUploadBytes { get; set; } = 50L << 20;

    /// <summary>Turns that may wait for a worker; one more gets 429 with Retry-After.</summary>
    public int QueueLength { get; set; } = 8;

    /// <summary>Workers taking turns off the queue: one per device.</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Seconds of music a turn renders unless it asks for another length.</summary>
    public double DefaultSeconds { get; set; } = 8;

    /// <summary>Longest track a turn may ask for (seconds added to an input track).</summary>
    public double MaxSeconds { get; set; } = 30;

    /// <summary>Longest message text, in characters.</summary>
    public int MaxMessageChars { get; set; } = 4000;
}
