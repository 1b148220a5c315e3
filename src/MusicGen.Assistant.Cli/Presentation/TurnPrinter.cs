using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.ModelSets;

namespace MusicGen.Assistant.Cli.Presentation;

/// <summary>
/// Prints a turn's events as they come: the reply streamed token by token on standard output, notices and the track
/// (its path, length, how it was made) after it, and progress on standard error (a line redrawn in place on a
/// terminal, a line per finished stage otherwise).
/// </summary>
internal sealed class TurnPrinter(CliConsole console)
{
    private bool _replyOpen, _replyShown, _untrained;

    public static void WarnUntrained(CliConsole console, ResolvedModelSet model)
    {
        if (!model.IsDemo) return;
        console.Line("!! UNTRAINED DEMO ASSISTANT: no --model was given, so a tiny M2UGen-shaped set built by this program is used.");
        console.Line("!! Its reply is arranged (always the same words, then [AUD0..7] unless --words-only) and its music is noise from random weights.");
        console.Line("!! For a real assistant convert an M2UGen checkpoint (mga convert checkpoint.pth FOLDER) and pass --model.");
    }

    public static string Model(ResolvedModelSet model) =>
        $"{model.Manifest.Name} ({model.Manifest.Source}{(model.Created is { } t ? $", created in {Units.Duration(t)}" : "")})";

    public void Print(TurnEvent e)
    {
        switch (e)
        {
            case TurnStarted s:
                _untrained = s.Untrained;
                break;
            case ReplyTextDelta t:
                OpenReply();
                console.Out.Write(t.Text);
                console.Out.Flush();
                break;
            case TurnProgress p when p.Stage != "reply":
                CloseReply();
                Progress(p);
                break;
            case TurnNotice n when n.Kind != NoticeKind.Untrained:
                CloseReply();
                console.Field("note", n.Message);
                break;
            case TrackRendered r:
                OpenReply(); // a reply of [AUD] tokens alone still gets its line
                CloseReply();
                var track = r.Track;
                console.Field("track", $"{track.Path ?? "(not written)"}{(track.Untrained ? " (UNTRAINED DEMO output)" : "")}");
                console.Field("audio", $"{Units.Seconds(track.Seconds)}, {track.SampleRate} Hz, peak {track.PeakDbfs:0.0} dBFS, {track.Conditioning} path, seed {track.Seed}");
                break;
            case TurnCompleted c:
                OpenReply();
                CloseReply();
                var reply = c.Reply;
                if (!reply.HasMusic) console.Field("track", "none (the reply held no [AUD0..7])");
                console.Field("time", $"{Units.Duration(TimeSpan.FromSeconds(reply.Timings.TotalSeconds))} (encode {reply.Timings.EncodeSeconds:0.00} s, reply {reply.Timings.ReplySeconds:0.00} s, music {reply.Timings.RenderSeconds:0.00} s), seed {reply.Seed}");
                break;
        }
    }

    // the reply's line starts with its first text (after the encoders' progress), once per turn
    private void OpenReply()
    {
        if (_replyShown) return;
        console.Out.Write(_untrained ? "assistant (UNTRAINED)> " : "assistant> ");
        (_replyShown, _replyOpen) = (true, true);
    }

    private void CloseReply()
    {
        if (!_replyOpen) return;
        console.Out.WriteLine();
        _replyOpen = false;
    }

    private void Progress(TurnProgress p)
    {
        if (console.Interactive)
        {
            var eta = p.Remaining is { } left ? $", ETA {Units.Duration(left)}" : "";
            console.Error.Write(p.Finished ? $"\r{p.Stage}: done in {Units.Duration(p.Elapsed)}\x1b[K\n" : $"\r{p.Stage}: {p.Fraction:P0}{eta}\x1b[K");
        }
        else if (p.Finished)
        {
            console.Error.WriteLine($"{p.Stage}: {p.Done}/{p.Total} {p.Unit} done in {Units.Duration(p.Elapsed)}");
        }
    }
}
