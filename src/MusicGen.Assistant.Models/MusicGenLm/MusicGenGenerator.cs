namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Autoregressive generation with the decoder (transformers' MusicgenForConditionalGeneration.generate): the delay
/// pattern decides which cells are forced (pads, prompt codes) and which are predicted, classifier-free guidance
/// runs the conditional and null rows as one batch, and a <see cref="LogitsSampler"/> picks each step's tokens.
/// The KV cache is reserved once for the whole generation; the prompt (the bos step plus any audio prompt) is
/// prefilled in one pass, then one position is fed per step.
/// </summary>
public sealed class MusicGenGenerator(MusicGenDecoder decoder)
{
    private readonly MusicGenDecoderConfig _c = decoder.Config;

    public MusicGenDecoder Decoder => decoder;

    public MusicGenGeneration Generate(MusicGenGenerationRequest request, IProgress<GenerationProgress>? progress = null,
        CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Sampling.Validate();
        decoder.CheckConditioning(request.Conditioning);
        var (batch, k, vocab) = (request.Conditioning.Batch, _c.NumCodebooks, _c.VocabSize);
        if (request.MaxNewTokens < _c.ChannelCodebooks)
            throw new ArgumentOutOfRangeException(nameof(request), request.MaxNewTokens,
                $"max_new_tokens {request.MaxNewTokens} is below {_c.ChannelCodebooks}: the delay pattern needs K/channels - 1 = {_c.ChannelCodebooks - 1} steps before a first whole frame");

        var decoderIds = DecoderPrompt(request.PromptCodes, batch);
        var frames = decoderIds.GetLength(1) - 1 + request.MaxNewTokens - (_c.ChannelCodebooks - 1);
        // Below max_length 2C - 1 (fewer than C - 1 frames) the delay pattern does not fit: transformers then runs
        // without it and hands back unpatterned tokens of the wrong length. Such requests run the pattern at its
        // minimum length instead and keep the frames asked for (the first frames of that run).
        var maxLength = Math.Max(decoderIds.GetLength(1) + request.MaxNewTokens, 2 * _c.ChannelCodebooks - 1);
        var prefix = decoder.PrefixLength(request.Conditioning); // a melody decoder's [chroma | text] positions come first
        if (prefix + maxLength - 1 > _c.MaxPositionEmbeddings)
            throw new ArgumentOutOfRangeException(nameof(request), request.MaxNewTokens,
                (prefix > 0 ? $"{prefix} conditioning prefix positions + " : "") +
                $"{decoderIds.GetLength(1) - 1} prompt frames + {request.MaxNewTokens} new tokens need {prefix + maxLength - 1} positions; the decoder has {_c.MaxPositionEmbeddings} (max_position_embeddings): generate longer audio in windows");
        var (initial, mask) = DelayPatternMask.Build(decoderIds, k, _c.PadTokenId, maxLength, _c.AudioChannels);

        var guided = request.Sampling.GuidanceScale > 1f;
        var conditioning = guided ? request.Conditioning.WithNullRows() : request.Conditioning;
        var rowsK = batch * k;
        var fedRowsK = conditioning.Batch * k;
        var sequence = new int[rowsK, maxLength];
        var start = initial.GetLength(1);
        for (var r = 0; r < rowsK; r++)
            for (var j = 0; j < start; j++) sequence[r, j] = initial[r, j];

        var steps = maxLength - start;
        var scores = request.RecordScores ? new float[(long)steps * rowsK * vocab] : null;
        var sampler = new LogitsSampler(request.Sampling, request.Seed);
        var logits = new float[fedRowsK * vocab];
        var mixed = guided ? new float[rowsK * vocab] : logits;
        var next = new int[rowsK];
        var fed = new int[fedRowsK];

        var emitter = new FrameEmitter(request.OnFrames, k, _c.ChannelCodebooks, _c.AudioChannels, frames);
        using var session = decoder.StartSession(conditioning, maxLength - 1, request.CacheType);
        var prefill = session.Feed(guided ? StackTwice(initial) : initial);
        prefill.CopyTo(logits, 0);
        for (var step = 0; step < steps; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            var column = start + step;
            if (step > 0)
            {
                for (var r = 0; r < fedRowsK; r++) fed[r] = sequence[r % rowsK, column - 1];
                session.Step(fed, logits);
            }
            using (decoder.Timings.Measure("sample"))
            {
                if (guided)
                    ClassifierFreeGuidance.Mix(logits.AsSpan(0, rowsK * vocab), logits.AsSpan(rowsK * vocab), request.Sampling.GuidanceScale, mixed);
                if (scores is not null) mixed.AsSpan(0, rowsK * vocab).CopyTo(scores.AsSpan((int)((long)step * rowsK * vocab)));
                sampler.SampleRows(mixed.AsSpan(0, rowsK * vocab), vocab, next);
                // forced cells (pads, prompt codes) keep the mask's value, whatever was sampled
                for (var r = 0; r < rowsK; r++)
                    sequence[r, column] = mask[r, column] == DelayPatternMask.ToPredict ? next[r] : mask[r, column];
            }
            emitter.AfterColumn(sequence, column);
            progress?.Report(new GenerationProgress(step + 1, steps));
        }

        var codes = DelayPatternMask.RemovePadding(sequence, _c.PadTokenId);
        if (codes.GetLength(1) > frames) codes = FirstFrames(codes, frames);
        emitter.Finish(codes);
        return new MusicGenGeneration(sequence, codes, scores, steps, batch, k);
    }

    // The bos column (decoder_start_token_id) followed by the prompt's codes: [B·K, 1 + P].
    private int[,] DecoderPrompt(int[,]? prompt, int batch)
    {
        var rowsK = batch * _c.NumCodebooks;
        var p = prompt?.GetLength(1) ?? 0;
        if (prompt is not null)
        {
            if (prompt.GetLength(0) != rowsK)
                throw new ArgumentException($"prompt codes have {prompt.GetLength(0)} rows, expected {batch} items x {_c.NumCodebooks} codebooks = {rowsK}", nameof(prompt));
            if (p < 1) throw new ArgumentException("prompt codes have no frames", nameof(prompt));
        }
        var ids = new int[rowsK, 1 + p];
        for (var r = 0; r < rowsK; r++)
        {
            ids[r, 0] = _c.BosTokenId;
            for (var t = 0; t < p; t++)
            {
                var code = prompt![r, t];
                if ((uint)code >= (uint)_c.VocabSize)
                    throw new ArgumentException($"prompt code {code} of item {r / _c.NumCodebooks}, codebook {r % _c.NumCodebooks}, frame {t} is outside [0, {_c.VocabSize})", nameof(prompt));
                ids[r, 1 + t] = code;
            }
        }
        return ids;
    }

    private static int[,] FirstFrames(int[,] codes, int frames)
    {
        var kept = new int[codes.GetLength(0), frames];
        for (var r = 0; r < codes.GetLength(0); r++)
            for (var t = 0; t < frames; t++) kept[r, t] = codes[r, t];
        return kept;
    }

    private static int[,] StackTwice(int[,] ids)
    {
        var (rows, n) = (ids.GetLength(0), ids.GetLength(1));
        var both = new int[2 * rows, n];
        for (var r = 0; r < 2 * rows; r++)
            for (var j = 0; j < n; j++) both[r, j] = ids[r % rows, j];
        return both;
    }
}
