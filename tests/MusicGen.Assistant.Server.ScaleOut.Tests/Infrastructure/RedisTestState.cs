using MusicGen.Assistant.Server.ScaleOut.Queue;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>A connection of the service's kind to the test Redis, emptied first (each test starts from no jobs).</summary>
public static class RedisTestState
{
    public static async Task<RedisConnection> CleanAsync(RedisServer server)
    {
        using (var admin = await ConnectionMultiplexer.ConnectAsync($"{server.Configuration},allowAdmin=true"))
            await admin.GetServers()[0].FlushAllDatabasesAsync();
        return new RedisConnection(server.Configuration) { Patience = TimeSpan.FromSeconds(30) };
    }
}
