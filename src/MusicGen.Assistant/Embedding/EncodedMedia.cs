using MusicGen.Assistant.Models.M2UGen;

namespace MusicGen.Assistant.Embedding;

/// <summary>
/// What an encoder made of one media file, in the layout the modality's adapter takes: music = each MERT hidden
/// state averaged over time [states, width]; image / video = last_hidden_state [tokens, width].
/// </summary>
/// <param name="Input">What was decoded, for the summary ("12.0 s of audio at 24000 Hz", "32 frames, 320x240").</param>
/// <param name="Encoder">The encoder, for the summary ("MERT/HuBERT, 25 hidden states x 1024").</param>
public sealed record EncodedMedia(
    M2UGenModality Modality, float[] Values, int[] Shape, string Input, string Encoder,
    TimeSpan DecodeTime, TimeSpan EncodeTime, double? MediaSeconds)
{
    /// <summary>Music features are already averaged over time (the adapter skips its own time mean).</summary>
    public bool TimeAveraged => Modality == M2UGenModality.Music;
}
