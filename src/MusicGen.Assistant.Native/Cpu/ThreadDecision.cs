namespace MusicGen.Assistant.Native.Cpu;

/// <summary>A CPU thread count, why it was chosen, and the one-line warning to show when a request was cut down.</summary>
public sealed record ThreadDecision(int Count, string Reason, string? Warning = null);
