namespace MusicGen.Assistant.Errors;

/// <summary>
/// What went wrong, as a front end needs to know it: the command line maps it to an exit code, a service to a status.
/// Cancellation is not a kind: a cancelled job throws <see cref="OperationCanceledException"/>, as .NET code expects.
/// </summary>
public enum AssistantErrorKind
{
    /// <summary>The request itself is wrong: an empty prompt, a length out of range, options that exclude each other.</summary>
    InvalidRequest,

    /// <summary>An input file is missing, unreadable, not a regular file, or malformed (media, codes, prompts).</summary>
    BadInput,

    /// <summary>A model file is missing or malformed, or the parts of a model set do not fit together or the request.</summary>
    ModelSet,

    /// <summary>The input is valid but this program does not handle it (a sample rate, a channel layout, a format).</summary>
    Unsupported,

    /// <summary>The output cannot be written there: a folder, a device, a FIFO, one of the inputs, no permission.</summary>
    Output,

    /// <summary>The runtime lacks something: the ggml natives, ffmpeg, a working backend.</summary>
    Runtime,
}
