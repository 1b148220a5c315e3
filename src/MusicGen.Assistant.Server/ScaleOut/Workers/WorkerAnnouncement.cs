using System.Text.Json;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using StackExchange.Redis;

namespace MusicGen.Assistant.Server.ScaleOut.Workers;

/// <summary>
/// What a worker tells the others every heartbeat: its device ("gpu" or "cpu"), the device's free and total memory,
/// how many jobs it runs and may run. It lives in Redis for three heartbeats; a worker that stops announcing is gone.
/// </summary>
public sealed record WorkerAnnouncement(string Name, string Device, string DeviceName, long FreeBytes, long TotalBytes, int Running, int Slots,
    string Host, int ProcessId, long AtUnixMs)
{
    public const string Gpu = "gpu";
    public const string Cpu = "cpu";

    public bool IsGpu => Device == Gpu;

    /// <summary>Writes this announcement with its time to live, and the worker's name into the set of workers.</summary>
    public async Task PublishAsync(IDatabase db, TimeSpan ttl)
    {
        await db.StringSetAsync(RedisKeys.Worker(Name), JsonSerializer.Serialize(this, JsonSerializerOptions.Web), ttl);
        await db.SetAddAsync(RedisKeys.Workers, Name);
    }

    public static async Task WithdrawAsync(IDatabase db, string name)
    {
        await db.KeyDeleteAsync(RedisKeys.Worker(name));
        await db.SetRemoveAsync(RedisKeys.Workers, name);
    }

    /// <summary>The workers announced now; names whose announcement expired are dropped from the set.</summary>
    public static async Task<IReadOnlyList<WorkerAnnouncement>> AliveAsync(IDatabase db)
    {
        var names = await db.SetMembersAsync(RedisKeys.Workers);
        if (names.Length == 0) return [];
        var values = await db.StringGetAsync([.. names.Select(n => (RedisKey)RedisKeys.Worker((string)n!))]);
        var alive = new List<WorkerAnnouncement>();
        for (var i = 0; i < names.Length; i++)
        {
            if (values[i].IsNull)
            {
                await db.SetRemoveAsync(RedisKeys.Workers, names[i]);
                continue;
            }
            try
            {
                if (JsonSerializer.Deserialize<WorkerAnnouncement>((string)values[i]!, JsonSerializerOptions.Web) is { } a) alive.Add(a);
            }
            catch (JsonException) { } // a foreign or older announcement: not a worker this node can route by
        }
        return alive;
    }
}
