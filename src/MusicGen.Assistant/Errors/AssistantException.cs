using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Media;
using MusicGen.Assistant.Models;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Errors;

/// <summary>
/// A problem a user can understand and fix, with a message that is the whole story (it names the file, the option or
/// the value) and a <see cref="Kind"/>. Every job of this library throws only these (and
/// <see cref="OperationCanceledException"/> when cancelled); anything else is a bug.
/// </summary>
public class AssistantException(AssistantErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public AssistantErrorKind Kind { get; } = kind;

    public static AssistantException InvalidRequest(string message) => new(AssistantErrorKind.InvalidRequest, message);
    public static AssistantException BadInput(string message, Exception? inner = null) => new(AssistantErrorKind.BadInput, message, inner);
    public static AssistantException ModelSet(string message, Exception? inner = null) => new(AssistantErrorKind.ModelSet, message, inner);
    public static AssistantException Unsupported(string message) => new(AssistantErrorKind.Unsupported, message);
    public static AssistantException Output(string message, Exception? inner = null) => new(AssistantErrorKind.Output, message, inner);
    public static AssistantException Runtime(string message, Exception? inner = null) => new(AssistantErrorKind.Runtime, message, inner);

    /// <summary>
    /// The typed form of an exception from the layers below, whose messages already name the file and the problem;
    /// null for anything unexpected (a bug, which keeps its own type and stack).
    /// </summary>
    public static AssistantException? From(Exception e) => e switch
    {
        AssistantException a => a,
        OperationCanceledException => null,
        NativeRuntimeException or MediaToolNotFoundException => Runtime(e.Message, e),
        GgmlException or ModelConfigException or ModelWeightsException or KeyNotFoundException => ModelSet(e.Message, e),
        MediaFormatException or AudioFormatException or TokenizerFormatException or FormatException or InvalidDataException
            or FileNotFoundException or DirectoryNotFoundException => BadInput(e.Message, e),
        UnauthorizedAccessException or IOException => new AssistantException(AssistantErrorKind.BadInput, e.Message, e),
        // a request the model cannot serve (too many positions, a shape that does not fit): the message says which
        ArgumentException => new AssistantException(AssistantErrorKind.ModelSet, e.Message, e),
        _ => null,
    };

    /// <summary>Runs a job's body, turning the known failures of the layers below into typed errors.</summary>
    internal static T Guard<T>(Func<T> body)
    {
        try { return body(); }
        catch (Exception e) when (e is not AssistantException && From(e) is { } typed) { throw typed; }
    }

    internal static void Guard(Action body) => Guard(() => { body(); return 0; });
}
