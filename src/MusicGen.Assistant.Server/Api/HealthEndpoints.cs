using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.Api;

/// <summary>/health (JSON: the model set, queue, workers) and /metrics (Prometheus text).</summary>
public static class HealthEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/health", (IAssistantEngine engine, IJobQueue queue, TurnRunner runner) =>
        {
            var info = engine.Info;
            return Results.Ok(new
            {
                status = "ok",
                modelSet = info.ModelSet,
                untrained = info.Untrained,
                loaded = info.Loaded,
                queue = new { depth = queue.Depth, capacity = queue.Capacity },
                running = runner.Running,
            });
        }).WithTags("Service").WithSummary("Whether the service is up, and what it runs");

        app.MapGet("/metrics", (ServiceMetrics metrics, IJobQueue queue, TurnRunner runner) =>
            Results.Text(metrics.Render(queue.Depth, queue.Capacity, runner.Running), "text/plain; version=0.0.4"))
            .WithTags("Service").WithSummary("Queue depth, generation time, tokens/s, time to first sound (Prometheus text format)");
    }
}
