namespace MusicGen.Assistant.Testing.Fuzzing;

/// <summary>One generated input: what was done to the original (for the report) and the bytes of the file.</summary>
/// <param name="Name">How it was made, e.g. "bit-flip x3 @1234".</param>
/// <param name="Bytes">The file's content.</param>
/// <param name="FileName">The file's name in its case folder (readers that look for "config.json" need it).</param>
public sealed record FuzzInput(string Name, byte[] Bytes, string FileName);
