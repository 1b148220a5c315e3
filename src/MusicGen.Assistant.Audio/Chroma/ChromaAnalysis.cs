namespace MusicGen.Assistant.Audio.Chroma;

/// <summary>
/// Every stage of one chroma extraction, for tests and diagnostics (<see cref="ChromaExtractor.Analyze"/>); the
/// normal path (<see cref="ChromaExtractor.Extract(ReadOnlySpan{float}, int)"/>) keeps only <see cref="Features"/>.
/// </summary>
/// <param name="PowerSpectrogram"><c>[FrameCount, FrequencyBins]</c>, row-major: |STFT|² / Σ window².</param>
/// <param name="NormalizedChroma"><c>[FrameCount, NumChroma]</c>: filter bank · power, divided by the frame's maximum
/// (at least 1e-6).</param>
/// <param name="Features">The argmax one-hot of each frame.</param>
public sealed record ChromaAnalysis(
    int FrameCount, int FrequencyBins, int NumChroma, float[] PowerSpectrogram, float[] NormalizedChroma, ChromaFeatures Features);
