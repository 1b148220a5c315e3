namespace MusicGen.Assistant.Native;

/// <summary>The native runtime could not be found, loaded, or did not behave as the pinned version must.</summary>
public sealed class NativeRuntimeException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A ggml call was refused before it reached native code (it would have aborted the process) or failed.</summary>
public class GgmlException(string message) : Exception(message);
