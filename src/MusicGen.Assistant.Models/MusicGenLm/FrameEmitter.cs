namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Hands item 0's frames to <see cref="MusicGenGenerationRequest.OnFrames"/> as the delay pattern completes them:
/// frame f of codebook row k (delay d = k / channels) sits in column 1 + f + d, so once column j is written every
/// frame up to j - C (C = codebooks per channel, the largest delay + 1) is whole. Only the frames the generation
/// returns are handed out; whatever is left when it ends comes from the final codes.
/// </summary>
internal sealed class FrameEmitter(Action<int[][]>? sink, int codebooks, int channelCodebooks, int audioChannels, int frames)
{
    private int _emitted;

    public void AfterColumn(int[,] sequence, int column)
    {
        if (sink is null) return;
        var complete = Math.Clamp(column - channelCodebooks + 1, 0, frames);
        if (complete <= _emitted) return;
        var block = new int[codebooks][];
        for (var k = 0; k < codebooks; k++)
        {
            var delay = k / audioChannels;
            block[k] = new int[complete - _emitted];
            for (var f = _emitted; f < complete; f++) block[k][f - _emitted] = sequence[k, 1 + f + delay];
        }
        _emitted = complete;
        sink(block);
    }

    /// <summary>The frames not yet handed over, from the generation's final codes [B·K, frames].</summary>
    public void Finish(int[,] codes)
    {
        var total = codes.GetLength(1);
        if (sink is null || _emitted >= total) return;
        var block = new int[codebooks][];
        for (var k = 0; k < codebooks; k++)
        {
            block[k] = new int[total - _emitted];
            for (var f = _emitted; f < total; f++) block[k][f - _emitted] = codes[k, f];
        }
        _emitted = total;
        sink(block);
    }
}
