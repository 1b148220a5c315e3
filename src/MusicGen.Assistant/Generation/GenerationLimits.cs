namespace MusicGen.Assistant.Generation;

/// <summary>The bounds every generating job checks its request against.</summary>
public static class GenerationLimits
{
    /// <summary>The longest track one request makes (1 hour), continuation prompt included.</summary>
    public const double MaxSeconds = 3600;
}
