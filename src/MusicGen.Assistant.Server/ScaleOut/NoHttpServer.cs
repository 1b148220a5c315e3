using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace MusicGen.Assistant.Server.ScaleOut;

/// <summary>The server of a worker-only process: it listens nowhere (workers take their jobs from Redis).</summary>
public sealed class NoHttpServer : IServer
{
    public IFeatureCollection Features { get; } = Create();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() { }

    private static FeatureCollection Create()
    {
        var features = new FeatureCollection();
        features.Set<IServerAddressesFeature>(new ServerAddressesFeature());
        return features;
    }
}
