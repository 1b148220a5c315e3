using Microsoft.AspNetCore.Http.Features;
using MusicGen.Assistant.Server.Api;
using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Storage;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server;

/// <summary>
/// Builds and runs the chat service: configuration (appsettings.json, environment, command line), the services
/// behind their seams (store, files, queue, engine), the routes, and start-up (schema migration, turns cut by a crash
/// marked failed, the URL printed). <c>mga serve</c> and the service's own executable both come here.
/// </summary>
public static class ChatServer
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory, // appsettings.json travels with the binaries, wherever mga runs
        });
        builder.Configuration.AddCommandLine(args, new Dictionary<string, string>(ScaleOut.ScaleOutServices.Switches)); // --role, --queue, --store
        // loopback unless told otherwise (--urls, ASPNETCORE_URLS or Kestrel settings)
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])) builder.WebHost.UseUrls(DefaultUrl);
        // Kestrel's own body limit follows the upload limit (its default, about 28.6 MiB, would cut larger settings short)
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
        {
            var limits = context.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>()?.Limits ?? new LimitOptions();
            kestrel.Limits.MaxRequestBodySize = limits.MaxUploadBytes + TurnEndpoints.FormSlack;
        });
        AddServices(builder);
        return builder;
    }

    public static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton(sp => (sp.GetRequiredService<IConfiguration>().GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions()).Validate());
        services.AddSingleton<IConversationStore>(sp =>
        {
            var o = sp.GetRequiredService<ServerOptions>();
            return o.Store.Trim().ToLowerInvariant() switch
            {
                "sqlite" => new SqliteConversationStore(Path.Combine(o.ResolvedDataDirectory, "conversations.db")),
                _ => throw new InvalidOperationException($"Assistant:Store '{o.Store}' is not known (sqlite)"),
            };
        });
        services.AddSingleton<IFileStore>(sp => new LocalFileStore(sp.GetRequiredService<ServerOptions>().ResolvedDataDirectory));
        services.AddSingleton<IJobQueue>(sp => new ChannelJobQueue(sp.GetRequiredService<ServerOptions>().Limits.QueueLength));
        services.AddSingleton<IAssistantEngine, ConversationEngine>();
        services.AddSingleton<ITurnEventHub, TurnEventHub>();
        services.AddSingleton<ServiceMetrics>();
        services.AddSingleton<TurnRunner>();
        services.AddSingleton<TurnService>();
        services.AddHostedService<StartupPreparation>(); // before the workers and the server
        services.AddHostedService<WorkerPool>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = c => c.ProblemDetails.Detail ??= Problems.DefaultDetail(c.HttpContext, c.ProblemDetails.Status));
        services.AddOpenApi();
        services.AddOptions<FormOptions>().Configure<ServerOptions>((form, o) =>
        {
            form.MultipartBodyLengthLimit = o.Limits.MaxUploadBytes + TurnEndpoints.FormSlack;
            form.ValueLengthLimit = Math.Max(o.Limits.MaxMessageChars * 4, 4096);
        });
        McpTools.Add(services);
        ScaleOut.ScaleOutServices.Add(builder); // PostgreSQL, Redis queue, shared files, workers: when the settings ask
    }

    public static WebApplication Build(WebApplicationBuilder builder)
    {
        var app = builder.Build();
        var options = app.Services.GetRequiredService<ServerOptions>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (!string.IsNullOrEmpty(options.ApiKey)) app.Use(new ApiKeyCheck(options.ApiKey).InvokeAsync);
        PageFiles.Use(app);
        app.MapOpenApi();
        ConversationEndpoints.Map(app);
        TurnEndpoints.Map(app);
        FileEndpoints.Map(app);
        HealthEndpoints.Map(app);
        ChatCompletionsEndpoints.Map(app);
        McpTools.Map(app);
        return app;
    }

    /// <summary>Runs the service until it is stopped (Ctrl+C), printing where it listens.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter? output = null)
    {
        output ??= Console.Out;
        var builder = CreateBuilder(args);
        // wrong settings fail here with one line, before the host starts (and logs a stack trace)
        (builder.Configuration.GetSection(ServerOptions.Section).Get<ServerOptions>() ?? new ServerOptions()).Validate();
        var app = Build(builder);
        var options = app.Services.GetRequiredService<ServerOptions>();
        var settings = app.Services.GetRequiredService<ScaleOut.ScaleOutSettings>(); // checked by Validate above
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            if (!settings.ServesWeb)
            {
                output.WriteLine($"MusicGen.Assistant worker {app.Services.GetServices<IHostedService>().OfType<ScaleOut.Workers.RedisWorker>().First().Name} takes jobs from Redis {options.Redis}");
                output.WriteLine("  Ctrl+C stops it (its running jobs go back to the queue).");
                return;
            }
            var info = app.Services.GetRequiredService<IAssistantEngine>().Info;
            foreach (var url in app.Urls) output.WriteLine($"MusicGen.Assistant is listening on {url}");
            output.WriteLine($"  data: {options.ResolvedDataDirectory}");
            output.WriteLine($"  model set: {info.ModelSet}{(info.Untrained ? " (UNTRAINED demo: noise, not music)" : "")}");
            output.WriteLine(string.IsNullOrEmpty(options.ApiKey) ? "  API key: none (loopback use)" : "  API key: required");
            output.WriteLine("  Ctrl+C stops it.");
        });
        await app.RunAsync();
        return 0;
    }
}
