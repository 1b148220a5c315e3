using System.Diagnostics;
using MusicGen.Assistant.Benchmarks.Encoders;
using MusicGen.Assistant.Benchmarks.Harness;
using MusicGen.Assistant.Benchmarks.Llama;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Demo;
using MusicGen.Assistant.Models.Vision;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Benchmarks.Assistant;

/// <summary>
/// <c>turn</c>: end-to-end latency of one assistant turn on small shapes, through the application library's own turn
/// (<see cref="AssistantConversation.SendAsync"/>) on the embedded untrained assistant set (<see cref="DemoAssistantSet"/>,
/// built deterministically into the cache): an audio, an image and a video attachment through the encoders and
/// adapters, the prompt prefilled, the reply decoded (the demo LLaMA always answers with [AUD0..7]), the track
/// rendered (projector → MusicGen → EnCodec → a WAV). Each stage's time is taken between the library's progress
/// events, by wall time and by the process's CPU time (with one thread the load-robust figure). A fresh conversation
/// per turn (no history); the first turn warms up.
/// </summary>
public sealed class TurnBenchmark : IBenchmark
{
    public string Name => "turn";

    public string Usage => "turn [--audio-seconds 3] [--music-seconds 1] [--repeat 5] [--threads 1]";

    public int Run(BenchArguments args)
    {
        var audioSeconds = args.Double("audio-seconds", 3, 0.5, 120);
        var musicSeconds = args.Double("music-seconds", 1, 0.1, 30);
        var repeat = args.Int("repeat", 5, 1, 100);
        var threads = args.Int("threads", 1, 1, 256);
        args.RejectUnknown(Name);

        var sw = Stopwatch.StartNew();
        var (manifest, created) = DemoAssistantSet.Ensure();
        if (created is { } c) Console.WriteLine($"built the embedded assistant set in {Report.F(c.TotalSeconds, 1)} s");
        using var set = AssistantModelSet.Load(manifest, new ComputeOptions(BackendKind.Cpu, threads));
        var loadSeconds = sw.Elapsed.TotalSeconds;
        var tracks = Directory.CreateTempSubdirectory("mga-bench-turn-").FullName;

        var rate = 24000;
        var audio = SyntheticInputs.Audio((long)(audioSeconds * rate), rate, 3);
        var image = DemoAssistantSet.ImageEncoderConfig;
        var video = DemoAssistantSet.VideoEncoderConfig;
        var rng = new Random(5);
        float[] Pixels(long n) => Enumerable.Range(0, (int)n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        var imagePixels = PixelValues.Images(Pixels(3L * image.ImageHeight * image.ImageWidth), 1, 3, image.ImageHeight, image.ImageWidth);
        var videoPixels = PixelValues.Videos(Pixels(3L * video.NumFrames * video.ImageHeight * video.ImageWidth), 1, video.NumFrames, 3, video.ImageHeight, video.ImageWidth);

        var stages = new Dictionary<string, (Samples Wall, Samples Cpu)>();
        var order = new List<string>();
        var total = new Samples();
        var totalCpu = new Samples();
        var firstText = new Samples();
        string output = "";
        for (var r = 0; r <= repeat; r++)
        {
            var conversation = new AssistantConversation(set, new ConversationOptions { TrackFolder = tracks });
            var request = new TurnRequest
            {
                Text = "Make a calm piano piece in the mood of this song, this picture and this clip.",
                Attachments =
                [
                    TurnAttachment.FromSamples([audio], rate),
                    TurnAttachment.FromPixels(imagePixels, AttachmentKind.Image),
                    TurnAttachment.FromPixels(videoPixels, AttachmentKind.Video),
                ],
                Options = new TurnOptions { DurationSeconds = musicSeconds, MaxNewTokens = 64, Seed = 5 },
            };
            var turn = new List<(string Stage, double Wall, double Cpu)>();
            var (w0, c0) = (Stopwatch.GetTimestamp(), LlamaRunProtocol.CpuSeconds());
            var (mark, markCpu) = (w0, c0);
            double? text = null;
            foreach (var e in conversation.SendAsync(request).ToBlockingEnumerable())
            {
                if (e is ReplyTextDelta && text is null) text = Stopwatch.GetElapsedTime(w0).TotalMilliseconds;
                if (e is TurnCompleted completed)
                    output = $"reply \"{completed.Reply.Text.Trim()}\"; track {completed.Reply.Track?.Seconds:F2} s at {completed.Reply.Track?.SampleRate} Hz";
                if (e is not (TurnProgress { Finished: true } or TurnCompleted)) continue;
                var stage = e is TurnProgress p ? p.Stage : "rest (prompt, writing the WAV)";
                var (now, cpu) = (Stopwatch.GetTimestamp(), LlamaRunProtocol.CpuSeconds());
                turn.Add((stage, Stopwatch.GetElapsedTime(mark, now).TotalMilliseconds, 1000 * (cpu - markCpu)));
                (mark, markCpu) = (now, cpu);
            }
            if (r == 0) continue; // warm-up: JIT, first touch, compute buffers
            foreach (var (stage, wall, cpu) in turn)
            {
                if (!stages.ContainsKey(stage)) { stages[stage] = (new Samples(), new Samples()); order.Add(stage); }
                stages[stage].Wall.Add(wall);
                stages[stage].Cpu.Add(cpu);
            }
            total.Add(Stopwatch.GetElapsedTime(w0).TotalMilliseconds);
            totalCpu.Add(1000 * (LlamaRunProtocol.CpuSeconds() - c0));
            if (text is { } t) firstText.Add(t);
        }

        Console.WriteLine($"turn: the embedded untrained assistant set ({manifest.Name}); {audioSeconds} s of audio + an image + a " +
                          $"{video.NumFrames}-frame clip, reply, {musicSeconds} s of music; median of {repeat} turns after one warm-up");
        using (var shown = ComputeBackend.Create(BackendKind.Cpu, threads)) BenchEnvironment.Print(shown);
        Report.Line("loading the set", $"{Report.F(loadSeconds, 2)} s (building it the first time included)");
        Report.Line("output", output);
        var rows = order.Select(s => (IReadOnlyList<string>)[s, Report.F(stages[s].Wall.Median, 1), Report.F(stages[s].Cpu.Median, 1)]).ToList();
        rows.Add(["turn", Report.F(total.Median, 1), Report.F(totalCpu.Median, 1)]);
        Report.Table(["stage (between progress events)", "wall ms", "process CPU ms"], rows);
        if (firstText.Count > 0) Report.Line("first reply text after", $"{Report.F(firstText.Median, 1)} ms (wall)");
        Report.Line("load average", BenchEnvironment.LoadAverage());
        Directory.Delete(tracks, recursive: true);
        return 0;
    }
}
