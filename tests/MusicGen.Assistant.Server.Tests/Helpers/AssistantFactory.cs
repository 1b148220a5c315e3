using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using MusicGen.Assistant.Server.Engine;

namespace MusicGen.Assistant.Server.Tests.Helpers;

/// <summary>
/// The real service (its Program, routes, SQLite store, queue, workers and the conversation pipeline) on the embedded
/// tiny demo assistant set, with
/// its own data directory. <see cref="Engine"/> wraps the real engine with a hold point.
/// </summary>
public sealed class AssistantFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;

    public AssistantFactory(string dataDirectory, IDictionary<string, string?>? settings = null)
    {
        DataDirectory = dataDirectory;
        _settings = new Dictionary<string, string?>
        {
            ["Assistant:ModelSet"] = "", // the embedded UNTRAINED demo assistant, built into the cache on first use
            ["Assistant:DataDirectory"] = dataDirectory,
            ["Assistant:Threads"] = "1",
            ["Assistant:Limits:DefaultSeconds"] = "0.5",
            ["Assistant:Limits:QueueLength"] = "4",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) _settings[k] = v;
    }

    public string DataDirectory { get; }

    public GatedEngine Engine => (GatedEngine)Services.GetRequiredService<IAssistantEngine>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IAssistantEngine>();
            services.AddSingleton<ConversationEngine>();
            services.AddSingleton<IAssistantEngine>(sp => new GatedEngine(sp.GetRequiredService<ConversationEngine>()));
        });
    }

    /// <summary>Files the service holds under its data directory (uploads and tracks).</summary>
    public string[] StoredFiles(string category) =>
        Directory.Exists(Path.Combine(DataDirectory, "files", category)) ? Directory.GetFiles(Path.Combine(DataDirectory, "files", category)) : [];
}
