using Microsoft.Extensions.Logging.Abstractions;
using MusicGen.Assistant.Server.Engine;
using MusicGen.Assistant.Server.Hosting;
using MusicGen.Assistant.Server.ScaleOut.Files;
using MusicGen.Assistant.Server.ScaleOut.Queue;
using MusicGen.Assistant.Server.Work;

namespace MusicGen.Assistant.Server.ScaleOut.Tests.Infrastructure;

/// <summary>The web node's Redis queue over a test folder of shared files, and turn jobs that need no files.</summary>
public static class TestJobs
{
    public static RedisJobQueue Queue(RedisConnection redis, string filesFolder, int? capacity = null) =>
        new(redis, new ContentAddressedFileStore(new DirectoryBlobStore(filesFolder)),
            new RedisTurnRelay(redis, new TurnEventHub(), NullLogger<RedisTurnRelay>.Instance),
            new ServerOptions { Limits = { QueueLength = capacity ?? new LimitOptions().QueueLength } });

    public static TurnJob Job(string id, string conversation = "conversation") =>
        new(id, conversation, new EngineTurn([], "text " + id, null, null, "/nowhere.wav", 1, 7), "staging/x.wav");
}
