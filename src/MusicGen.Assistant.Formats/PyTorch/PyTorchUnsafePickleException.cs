namespace MusicGen.Assistant.Formats.PyTorch;

/// <summary>
/// The checkpoint's pickle names a global (class or function) outside the short list a tensor checkpoint needs.
/// Raised when the GLOBAL opcode is read, before anything could be built from it.
/// </summary>
public sealed class PyTorchUnsafePickleException : PyTorchFormatException
{
    public PyTorchUnsafePickleException(string filePath, string part, string globalName, string problem)
        : base(filePath, part, problem)
    {
        GlobalName = globalName;
    }

    /// <summary>The refused global as "module.name", e.g. "posix.system".</summary>
    public string GlobalName { get; }
}
