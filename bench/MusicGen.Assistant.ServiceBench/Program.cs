using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using MusicGen.Assistant.Server;
using MusicGen.Assistant.ServiceBench;

// Loopback load test of the chat service: light reads (GET /health, GET /api/conversations) and whole streamed turns
// (POST a message, read its server-sent events to the end), `--concurrency` at a time, bounded in count and time.
// Reports throughput and latency percentiles (turns: time to first token, to first sound, to the finished track).
LoadOptions options;
try { options = LoadOptions.Parse(args); }
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}

WebApplication? app = null;
string? tempData = null;
var baseUrl = options.Url;
if (baseUrl is null)
{
    tempData = Directory.CreateTempSubdirectory("mga-service-bench-").FullName;
    var builder = ChatServer.CreateBuilder(["--urls", "http://127.0.0.1:0", $"--Assistant:DataDirectory={tempData}",
        $"--Assistant:Limits:QueueLength={Math.Max(8, options.Concurrency * 2)}", "--Logging:LogLevel:Default=Warning"]);
    app = ChatServer.Build(builder);
    await app.StartAsync();
    baseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}

using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(options.TimeLimit) };
using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeLimit));
var health = await http.GetFromJsonAsync<JsonElement>("/health");
Console.WriteLine($"service: {baseUrl} model set: {health.GetProperty("modelSet")}");
Console.WriteLine($"cpu: {CpuModel()}, {Environment.ProcessorCount} processors, loadavg {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

// warm-up: the model set loads on the first turn
var conversation = (await (await http.PostAsJsonAsync("/api/conversations", new { title = "bench" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
await Turn(http, conversation, options.Seconds, null, null, null, deadline.Token);

var reads = new Percentiles("read (GET /health, /api/conversations)");
var firstToken = new Percentiles("turn: first token");
var firstSound = new Percentiles("turn: first sound");
var turnDone = new Percentiles("turn: finished track");
var failures = 0;
var clock = Stopwatch.StartNew();
var work = Enumerable.Range(0, options.Reads).Select(i => (Turn: false, Index: i))
    .Concat(Enumerable.Range(0, options.Turns).Select(i => (Turn: true, Index: i))).ToArray();
Random.Shared.Shuffle(work);
await Parallel.ForEachAsync(work, new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = deadline.Token }, async (item, ct) =>
{
    try
    {
        if (item.Turn) await Turn(http, conversation, options.Seconds, firstToken, firstSound, turnDone, ct);
        else
        {
            var t = Stopwatch.StartNew();
            using var res = await http.GetAsync(item.Index % 2 == 0 ? "/health" : "/api/conversations", ct);
            res.EnsureSuccessStatusCode();
            await res.Content.ReadAsByteArrayAsync(ct);
            reads.Add(t.Elapsed);
        }
    }
    catch (HttpRequestException) { Interlocked.Increment(ref failures); }
});
var elapsed = clock.Elapsed.TotalSeconds;

Console.WriteLine();
Console.WriteLine("| requests | count | p50 ms | p90 ms | p99 ms | max ms |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
foreach (var p in new[] { reads, firstToken, firstSound, turnDone }) Console.WriteLine(p.Row());
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{reads.Count + turnDone.Count} requests in {elapsed:0.00} s: {(reads.Count + turnDone.Count) / elapsed:0.0} requests/s, {turnDone.Count / elapsed:0.00} turns/s ({options.Seconds:0.##} s tracks, concurrency {options.Concurrency}), {failures} failed (429s included)"));
Console.WriteLine($"loadavg after: {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");

if (app is not null) await app.StopAsync();
if (tempData is not null) Directory.Delete(tempData, recursive: true);
return failures == 0 ? 0 : 1;

static async Task Turn(HttpClient http, string conversation, double seconds, Percentiles? firstToken, Percentiles? firstSound, Percentiles? done, CancellationToken ct)
{
    var t = Stopwatch.StartNew();
    using var form = new MultipartFormDataContent { { new StringContent("lo-fi hip hop beat"), "text" }, { new StringContent(seconds.ToString(CultureInfo.InvariantCulture)), "seconds" } };
    using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/conversations/{conversation}/turns") { Content = form };
    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
    using var res = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
    if (res.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"turn refused: {(int)res.StatusCode}");
    using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(ct));
    bool token = false, sound = false;
    while (await reader.ReadLineAsync(ct) is { } line)
    {
        if (!token && line == "event: token") { token = true; firstToken?.Add(t.Elapsed); }
        if (!sound && line == "event: audio") { sound = true; firstSound?.Add(t.Elapsed); }
        if (line == "event: done") break;
    }
    done?.Add(t.Elapsed);
}

static string CpuModel() =>
    File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
