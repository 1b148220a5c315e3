using System.CommandLine;
using System.Runtime.InteropServices;
using MusicGen.Assistant.Cli.Hosting;
using MusicGen.Assistant.Cli.Presentation;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Cli.Commands;

/// <summary>
/// <c>mga chat [--model SET] [--out-dir DIR]</c>: a conversation on standard input. A line is a message; <c>/attach FILE</c>
/// adds audio, an image or a video to the next message, <c>/use-last-track</c> feeds the last track back as its audio,
/// <c>/new</c> starts over, <c>/quit</c> (or end of input) ends. Replies stream token by token; each track's path is
/// printed. Ctrl+C cancels the running turn and the session goes on (at the prompt it ends the session).
/// </summary>
internal static class ChatCommand
{
    public const string Help = "Commands: /attach FILE (audio, image or video for the next message), /use-last-track, /new, /quit";

    public static bool HandlesInterrupt(ParseResult parsed) => parsed.CommandResult.Command.Name == "chat";

    public static Command Create(CommandHost host)
    {
        var outDir = new Option<string>("--out-dir") { Description = "Folder for the tracks (created when needed).", DefaultValueFactory = _ => ".", HelpName = "DIR" };
        var options = new AssistantOptions();
        var command = new Command("chat", "Talk with the music assistant (M2UGen): streamed replies, attachments, a track when it composes.") { outDir };
        options.AddTo(command);
        host.Bind(command, (parsed, session) => Run(session, parsed.GetValue(options.Model), options.Read(parsed), parsed.GetValue(outDir)!));
        return command;
    }

    private static int Run(CliSession session, string? model, TurnOptions defaults, string outDir)
    {
        var console = session.Console;
        defaults.Validate();
        if (File.Exists(outDir)) throw AssistantException.Output($"--out-dir '{outDir}' is a file; give a folder");
        var resolved = ConsoleProgress.Run(session, progress => AssistantSetSource.Resolve(model, progress, session.Cancellation));
        TurnPrinter.WarnUntrained(console, resolved);
        using var set = AssistantModelSet.Load(resolved.Manifest, session.Compute);
        console.Field("model", TurnPrinter.Model(resolved));
        console.Line(Help);
        var conversation = new AssistantConversation(set, new ConversationOptions { Defaults = defaults, TrackFolder = Path.GetFullPath(outDir) });
        var turn = new Interrupt();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, turn.OnSignal);
        var attachments = new List<TurnAttachment>();
        var useLastTrack = false;
        while (true)
        {
            if (console.Interactive) console.Out.Write("you> ");
            var line = console.In.ReadLine();
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith('/'))
            {
                if (!Command(console, conversation, line, attachments, ref useLastTrack)) break;
                continue;
            }
            var request = new TurnRequest { Text = line, Attachments = attachments.ToList(), UseLastTrack = useLastTrack };
            (attachments, useLastTrack) = ([], false);
            var printer = new TurnPrinter(console);
            using var cancel = turn.Start(session.Cancellation);
            try
            {
                conversation.AskAsync(request, new AskCommand.Events(printer.Print), cancel.Token).GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (!session.Cancellation.IsCancellationRequested)
            {
                console.Line();
                console.Line("(turn cancelled; the conversation goes on)");
            }
            catch (Exception e) when (AssistantException.From(e) is { } error)
            {
                console.Line();
                console.Error.WriteLine($"error: {error.Message}");
            }
            finally
            {
                turn.Stop();
            }
        }
        return ExitCodes.Success;
    }

    // returns false to end the session
    private static bool Command(CliConsole console, AssistantConversation conversation, string line, List<TurnAttachment> attachments, ref bool useLastTrack)
    {
        var space = line.IndexOf(' ');
        var (name, argument) = space < 0 ? (line, "") : (line[..space], line[(space + 1)..].Trim().Trim('"'));
        switch (name)
        {
            case "/quit" or "/exit":
                return false;
            case "/new":
                conversation.Reset();
                attachments.Clear();
                useLastTrack = false;
                console.Line("(new conversation)");
                return true;
            case "/attach" when argument.Length > 0:
                try
                {
                    Files.InputFiles.Require(argument, "attachment");
                    var a = TurnAttachment.FromFile(argument);
                    attachments.RemoveAll(x => x.Kind == a.Kind); // one per kind: the last one counts
                    attachments.Add(a);
                    console.Line($"(attached {a} to the next message)");
                }
                catch (AssistantException e)
                {
                    console.Error.WriteLine($"error: {e.Message}");
                }
                return true;
            case "/use-last-track":
                if (conversation.LastTrackAudio is null) console.Error.WriteLine("error: there is no track yet in this conversation");
                else
                {
                    useLastTrack = true;
                    console.Line("(the last track is the next message's audio)");
                }
                return true;
            default:
                console.Line(Help);
                return true;
        }
    }

    /// <summary>Ctrl+C while a turn runs cancels that turn (and keeps the process); at the prompt it ends the session.</summary>
    private sealed class Interrupt
    {
        private CancellationTokenSource? _turn;

        public CancellationTokenSource Start(CancellationToken session) =>
            Volatile.Read(ref _turn) ?? (_turn = CancellationTokenSource.CreateLinkedTokenSource(session));

        public void Stop() => Volatile.Write(ref _turn, null);

        public void OnSignal(PosixSignalContext context)
        {
            if (Volatile.Read(ref _turn) is not { } running) return; // at the prompt: the default (end the process)
            context.Cancel = true;
            running.Cancel();
        }
    }
}
