using Microsoft.AspNetCore.Hosting.Server;
using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.ScaleOut.Postgres;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.ScaleOut.Workers;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.ScaleOut;

/// <summary>
/// Puts scale-out behind web's seams, chosen by the settings when the services are first resolved: PostgreSQL for
/// the conversation store (Assistant:Store postgres), and with Assistant:Queue redis the Redis job queue and event
/// relay, the content-addressed shared file store and the Redis worker. With the defaults (sqlite, local) every seam
/// keeps web's own implementation. A worker-only process (Assistant:Role worker) keeps the same services but no HTTP.
/// </summary>
public static class ScaleOutServices
{
    /// <summary>Command-line switches of <c>mga serve</c> that name scale-out settings.</summary>
    public static readonly IReadOnlyDictionary<string, string> Switches = new Dictionary<string, string>
    {
        ["--role"] = "Assistant:Role",
        ["--queue"] = "Assistant:Queue",
        ["--store"] = "Assistant:Store",
    };

    public static void Add(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => ScaleOutSettings.From(sp.GetRequiredService<ServerOptions>()));
        Wrap<IConversationStore>(services, (sp, web) =>
        {
            var (o, s) = (sp.GetRequiredService<ServerOptions>(), sp.GetRequiredService<ScaleOutSettings>());
            return s.PostgresStore ? sp.GetRequiredService<PostgresConversationStore>() : web();
        });
        services.AddSingleton(sp => new PostgresConversationStore(sp.GetRequiredService<ServerOptions>().Postgres!,
            sp.GetRequiredService<ScaleOutSettings>().RedisQueue, sp.GetRequiredService<ILogger<PostgresConversationStore>>()));
        services.AddSingleton<IJobStore>(sp => sp.GetRequiredService<PostgresConversationStore>());
        Wrap<IFileStore>(services, (sp, web) =>
        {
            var o = sp.GetRequiredService<ServerOptions>();
            if (!sp.GetRequiredService<ScaleOutSettings>().RedisQueue) return web();
            var root = string.IsNullOrWhiteSpace(o.SharedFiles) ? Path.Combine(o.ResolvedDataDirectory, "shared") : o.SharedFiles;
            return new ContentAddressedFileStore(new DirectoryBlobStore(root));
        });
        Wrap<IJobQueue>(services, (sp, web) => sp.GetRequiredService<ScaleOutSettings>().RedisQueue
            ? new RedisJobQueue(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<IFileStore>(), sp.GetRequiredService<RedisTurnRelay>(),
                sp.GetRequiredService<ServerOptions>())
            : web());
        services.AddSingleton(sp => new RedisConnection(sp.GetRequiredService<ServerOptions>().Redis!, sp.GetRequiredService<ILogger<RedisConnection>>()));
        services.AddSingleton<RedisTurnRelay>();
        services.AddHostedService<RedisWorker>();
        services.AddHostedService<LostJobSweeper>();
        if (IsWorkerOnly(builder.Configuration)) services.AddSingleton<IServer, NoHttpServer>();
    }

    /// <summary>Whether the configuration asks for a process without HTTP.</summary>
    public static bool IsWorkerOnly(IConfiguration configuration) =>
        string.Equals(configuration[$"{ServerOptions.Section}:Role"]?.Trim(), "worker", StringComparison.OrdinalIgnoreCase);

    // web's registration stays the fallback: the settings pick, when the service is first needed
    private static void Wrap<T>(IServiceCollection services, Func<IServiceProvider, Func<T>, T> choose) where T : class
    {
        var web = services.LastOrDefault(d => d.ServiceType == typeof(T))
            ?? throw new InvalidOperationException($"web's services register no {typeof(T).Name} to extend");
        services.Remove(web);
        services.AddSingleton<T>(sp => choose(sp, () => Create<T>(sp, web)));
    }

    private static T Create<T>(IServiceProvider sp, ServiceDescriptor d) where T : class =>
        (T)(d.ImplementationInstance ?? d.ImplementationFactory?.Invoke(sp) ?? ActivatorUtilities.CreateInstance(sp, d.ImplementationType!));
}
