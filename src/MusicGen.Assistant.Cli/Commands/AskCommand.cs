using System.CommandLine;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Conversations;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga ask "question" [--audio song.mp3] [--image x.png] [--video clip.mp4] [--out track.wav] [--model SET]</c>: one
/// turn with the assistant; the reply is streamed, the track (when the reply holds [AUD0..7]) written to --out or to a
/// new file in the current folder. Without --model the UNTRAINED demo assistant answers (and says so).
/// </summary>
internal static class AskCommand
{
    public static Command Create(CommandHost host)
    {
        var question = new Argument<string>("question") { Description = "What to ask, e.g. \"Compose a calm piano piece like this song\"." };
        var audio = new Option<string?>("--audio") { Description = "Music for the assistant to hear (any audio file ffmpeg reads; the first 60 s).", HelpName = "FILE" };
        var image = new Option<string?>("--image") { Description = "A picture for the assistant to see.", HelpName = "FILE" };
        var video = new Option<string?>("--video") { Description = "A clip for the assistant to watch.", HelpName = "FILE" };
        var output = new Option<string?>("--out", "-o") { Description = "Where to write the track (WAV). Default: a new mga-...wav in the current folder.", HelpName = "FILE" };
        var options = new AssistantOptions();
        var command = new Command("ask", "Ask the music assistant once (M2UGen: text with optional audio, image or video in; a reply and a track out).")
        {
            question, audio, image, video, output,
        };
        options.AddTo(command);
        host.Bind(command, (parsed, session) =>
        {
            var attachments = new List<TurnAttachment>();
            if (parsed.GetValue(audio) is { } a) attachments.Add(TurnAttachment.FromFile(a, AttachmentKind.Audio));
            if (parsed.GetValue(image) is { } i) attachments.Add(TurnAttachment.FromFile(i, AttachmentKind.Image));
            if (parsed.GetValue(video) is { } v) attachments.Add(TurnAttachment.FromFile(v, AttachmentKind.Video));
            return Run(session, parsed.GetValue(options.Model),
                new TurnRequest { Text = parsed.GetValue(question)!, Attachments = attachments, Options = options.Read(parsed, parsed.GetValue(output)) });
        });
        return command;
    }

    private static int Run(CliSession session, string? model, TurnRequest request)
    {
        var console = session.Console;
        request.Options!.Validate();
        var resolved = ConsoleProgress.Run(session, progress => AssistantSetSource.Resolve(model, progress, session.Cancellation));
        TurnPrinter.WarnUntrained(console, resolved);
        using var set = AssistantModelSet.Load(resolved.Manifest, session.Compute);
        console.Field("model", TurnPrinter.Model(resolved));
        var conversation = new AssistantConversation(set, new ConversationOptions { TrackFolder = Environment.CurrentDirectory });
        var printer = new TurnPrinter(console);
        conversation.AskAsync(request, new Events(printer.Print), session.Cancellation).GetAwaiter().GetResult();
        return ExitCodes.Success;
    }

    /// <summary>Calls back on the turn's thread, in order (Progress&lt;T&gt; would post to the thread pool).</summary>
    internal sealed class Events(Action<TurnEvent> print) : IProgress<TurnEvent>
    {
        public void Report(TurnEvent value) => print(value);
    }
}
