namespace MusicGen.Assistant.Models;

/// <summary>Progress of long chunked work: units done out of total (frames, steps).</summary>
public readonly record struct ChunkProgress(long Done, long Total, string Stage);
