namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>
/// One projector pass, every array row-major in PyTorch order: <see cref="Fc"/> and <see cref="Memory"/>
/// [B, N, d_model], <see cref="Output"/> (ProjectionLayer's return value) and <see cref="Embedding"/> (it times the
/// configured output scale: what stands in for T5's encoder output) [B, Q, out_dim].
/// </summary>
public sealed record ProjectorResult(int Batch, int InputTokens, int DModel, int OutputTokens, int OutDim, double OutputScale,
    float[] Fc, float[] Memory, float[] Output, float[] Embedding);
