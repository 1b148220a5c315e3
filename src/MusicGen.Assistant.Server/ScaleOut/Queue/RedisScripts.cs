namespace MusicGen.Assistant.Server.ScaleOut.Queue;

/// <summary>The steps of the queue protocol that must be atomic in Redis, as Lua scripts.</summary>
public static class RedisScripts
{
    /// <summary>
    /// Queues a job unless as many jobs as the capacity wait already (entries of the job streams not yet delivered:
    /// acknowledged entries are deleted, so length minus pending is what waits). Creates the group where missing.
    /// KEYS: the job streams, then the target stream. ARGV: group, capacity, id, kind, payload, wake channel. Returns 1 or 0.
    /// </summary>
    public const string Enqueue = """
        local waiting = 0
        for i = 1, #KEYS - 1 do
          redis.pcall('XGROUP', 'CREATE', KEYS[i], ARGV[1], '0', 'MKSTREAM')
          waiting = waiting + redis.call('XLEN', KEYS[i]) - redis.call('XPENDING', KEYS[i], ARGV[1])[1]
        end
        if waiting >= tonumber(ARGV[2]) then return 0 end
        redis.call('XADD', KEYS[#KEYS], '*', 'id', ARGV[3], 'kind', ARGV[4], 'payload', ARGV[5])
        redis.call('PUBLISH', ARGV[6], KEYS[#KEYS])
        return 1
        """;

    /// <summary>
    /// Renews a claim: only while this consumer still owns the entry (another may have claimed it after a timeout),
    /// resets its idle time. KEYS[1]: stream. ARGV: group, entry id, consumer. Returns 1 (renewed) or 0 (lost).
    /// </summary>
    public const string Renew = """
        local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
        if #p == 0 or p[1][2] ~= ARGV[3] then return 0 end
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'JUSTID')
        return 1
        """;

    /// <summary>Acknowledges and deletes a finished entry. KEYS[1]: stream. ARGV: group, entry id.</summary>
    public const string AckDelete = """
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Hands an entry back without finishing it (a worker stopping): its idle time is set past the claim timeout, so the
    /// next worker's XAUTOCLAIM takes it at once. KEYS[1]: stream. ARGV: group, entry id, consumer, idle ms.
    /// </summary>
    public const string Release = """
        local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)
        if #p == 0 or p[1][2] ~= ARGV[3] then return 0 end
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[3], 0, ARGV[2], 'IDLE', ARGV[4], 'JUSTID')
        return 1
        """;
}
