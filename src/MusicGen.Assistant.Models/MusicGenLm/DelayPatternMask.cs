namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// transformers' bookkeeping for the delay pattern (<c>MusicgenForCausalLM.build_delay_pattern_mask</c>,
/// <c>apply_delay_pattern_mask</c> and the final pad removal in <c>generate</c>), on token matrices [B·K, length]
/// whose row b·K + k is codebook k of batch item b. For maxLength ≥ 2C - 1 (C = K / channels) the mask equals the
/// audiocraft layout <c>CodebookPatterns.Delay(K)</c> (stereo: <c>StereoDelay(C)</c>) for T = maxLength - C frames,
/// built with special = pad and -1 for codes not yet known; this form is what the HF generate loop is checked against.
/// </summary>
public static class DelayPatternMask
{
    /// <summary>The mask value of a cell the model still has to predict.</summary>
    public const int ToPredict = -1;

    /// <summary>
    /// Builds the pattern mask for decoder ids [B·K, L] (bos column + optional prompt codes) and a generation of
    /// <paramref name="maxLength"/> steps, and cuts the ids where prediction starts.
    /// </summary>
    /// <param name="audioChannels">1 (mono) or 2: rows 2q and 2q+1 (left/right of quantizer q) share delay q.</param>
    /// <returns>
    /// InputIds: the masked ids up to (not including) the first <see cref="ToPredict"/> of codebook 0 over the batch,
    /// or the first L columns if there is none: the prefill. PatternMask [B·K, maxLength]: <see cref="ToPredict"/>
    /// where the model predicts, else the forced token (pad before a codebook starts and after it ends, or a prompt
    /// code at its delayed place). If maxLength &lt; 2·(K/channels) - 1 no pattern fits: the ids come back unchanged
    /// with an all-<see cref="ToPredict"/> mask, as in transformers.
    /// </returns>
    public static (int[,] InputIds, int[,] PatternMask) Build(
        int[,] inputIds, int numCodebooks, int padTokenId, int maxLength, int audioChannels = 1)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        var (rows, seqLen) = (inputIds.GetLength(0), inputIds.GetLength(1));
        if (numCodebooks < 1)
            throw new ArgumentOutOfRangeException(nameof(numCodebooks), numCodebooks, "need at least one codebook");
        if (audioChannels is not (1 or 2))
            throw new ArgumentOutOfRangeException(nameof(audioChannels), audioChannels, "MusicGen decoders have 1 or 2 audio channels");
        if (audioChannels == 2 && numCodebooks % 2 != 0)
            throw new ArgumentException($"a stereo decoder interleaves left/right codebooks, so {numCodebooks} codebooks is not possible", nameof(numCodebooks));
        if (rows == 0 || rows % numCodebooks != 0)
            throw new ArgumentException($"input ids have {rows} rows, expected a positive multiple of {numCodebooks} codebooks (batch · K)", nameof(inputIds));
        if (seqLen < 1)
            throw new ArgumentException("input ids have no columns; they need at least the bos column", nameof(inputIds));
        if (maxLength < 1)
            throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "max_length must be positive");

        var channelCodebooks = numCodebooks / audioChannels;
        var mask = new int[rows, maxLength];
        // too short for the pattern: transformers hands everything back untouched and predicts every cell
        if (maxLength < 2 * channelCodebooks - 1)
        {
            for (var r = 0; r < rows; r++)
                for (var j = 0; j < maxLength; j++) mask[r, j] = ToPredict;
            return ((int[,])inputIds.Clone(), mask);
        }
        if (seqLen + channelCodebooks - 1 > maxLength)
            throw new ArgumentException(
                $"input ids have {seqLen} columns; with the last codebook delayed by {channelCodebooks - 1} they need max_length ≥ {seqLen + channelCodebooks - 1}, got {maxLength}",
                nameof(maxLength));

        for (var r = 0; r < rows; r++)
        {
            var delay = r % numCodebooks / audioChannels;
            for (var j = 0; j < maxLength; j++)
            {
                // pad where the codebook has not started (j ≤ delay) or has already ended (j ≥ L - C + 1 + delay)
                var isPad = j <= delay || j >= maxLength - channelCodebooks + 1 + delay;
                var shifted = j - delay;
                mask[r, j] = isPad ? padTokenId : shifted < seqLen ? inputIds[r, shifted] : ToPredict;
            }
        }

        // prediction starts at the earliest -1 of codebook 0 over the whole batch
        var start = seqLen;
        var found = false;
        for (var r = 0; r < rows; r += numCodebooks)
            for (var j = 0; j < maxLength; j++)
                if (mask[r, j] == ToPredict)
                {
                    start = found ? Math.Min(start, j) : j;
                    found = true;
                    break;
                }
        var cut = new int[rows, start];
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < start; j++) cut[r, j] = mask[r, j];
        return (cut, mask);
    }

    /// <summary>
    /// transformers' <c>apply_delay_pattern_mask</c>: ids [R, n] (n ≤ mask length) take the mask's forced value
    /// wherever the mask is not <see cref="ToPredict"/>. Returns a new matrix.
    /// </summary>
    public static int[,] ApplyMask(int[,] ids, int[,] patternMask)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(patternMask);
        var (rows, n) = (ids.GetLength(0), ids.GetLength(1));
        if (patternMask.GetLength(0) != rows)
            throw new ArgumentException($"ids have {rows} rows but the pattern mask has {patternMask.GetLength(0)}", nameof(patternMask));
        if (n > patternMask.GetLength(1))
            throw new ArgumentException($"ids have {n} columns, longer than the pattern mask's {patternMask.GetLength(1)}", nameof(ids));
        var result = new int[rows, n];
        for (var r = 0; r < rows; r++)
            for (var j = 0; j < n; j++)
                result[r, j] = patternMask[r, j] == ToPredict ? ids[r, j] : patternMask[r, j];
        return result;
    }

    /// <summary>
    /// The end of transformers' generate: drops every pad token from the delayed matrix [R, L], leaving the codes
    /// [R, frames] (for the delay pattern frames = L - K). Every row must lose the same number of pads; a row that
    /// does not (a pad id inside the codes, or a matrix the mask was not applied to) is an error, never a silent
    /// reshuffle across rows.
    /// </summary>
    public static int[,] RemovePadding(int[,] delayedIds, int padTokenId)
    {
        ArgumentNullException.ThrowIfNull(delayedIds);
        var (rows, length) = (delayedIds.GetLength(0), delayedIds.GetLength(1));
        var frames = -1;
        for (var r = 0; r < rows; r++)
        {
            var count = 0;
            for (var j = 0; j < length; j++)
                if (delayedIds[r, j] != padTokenId) count++;
            if (frames < 0) frames = count;
            else if (count != frames)
                throw new ArgumentException(
                    $"row {r} keeps {count} codes after removing pad {padTokenId} but row 0 keeps {frames}: the rows do not form a [rows, frames] code matrix",
                    nameof(delayedIds));
        }
        var codes = new int[rows, Math.Max(frames, 0)];
        for (var r = 0; r < rows; r++)
        {
            var i = 0;
            for (var j = 0; j < length; j++)
                if (delayedIds[r, j] != padTokenId) codes[r, i++] = delayedIds[r, j];
        }
        return codes;
    }
}
