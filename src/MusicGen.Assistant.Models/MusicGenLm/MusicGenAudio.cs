using MusicGen.Assistant.Models.Encodec;

namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>
/// Between the decoder's codes and audio, through the mono EnCodec the MusicGen checkpoints ship: mono models use
/// it directly; stereo models code left and right separately with it and interleave the codebooks [L0, R0, L1, ...]
/// (transformers' generate and audiocraft's InterleaveStereoCompressionModel).
/// </summary>
public static class MusicGenAudio
{
    /// <summary>Item b of a generation as audio, one array per channel of frames · hop samples.</summary>
    public static float[][] Decode(EncodecCodec codec, MusicGenGeneration generation, MusicGenDecoderConfig config, int item)
    {
        var codes = generation.ItemCodes(item);
        CheckCodec(codec, config);
        if (config.AudioChannels == 1) return codec.Decode(codes);
        var left = codes.Where((_, k) => k % 2 == 0).ToArray();
        var right = codes.Where((_, k) => k % 2 == 1).ToArray();
        return [codec.Decode(left)[0], codec.Decode(right)[0]];
    }

    /// <summary>Every item of a generation as audio: [B][channels][samples].</summary>
    public static float[][][] Decode(EncodecCodec codec, MusicGenGeneration generation, MusicGenDecoderConfig config) =>
        Enumerable.Range(0, generation.Batch).Select(b => Decode(codec, generation, config, b)).ToArray();

    /// <summary>
    /// The prompt codes [B · K, P] of B equally long signals (each [channels][samples] at the codec's rate), for
    /// <see cref="MusicGenGenerationRequest.PromptCodes"/>.
    /// </summary>
    public static int[,] EncodePrompt(EncodecCodec codec, IReadOnlyList<float[][]> items, MusicGenDecoderConfig config)
    {
        CheckCodec(codec, config);
        if (items.Count == 0) throw new ArgumentException("no prompt audio given", nameof(items));
        var perItem = new List<int[][]>();
        foreach (var (audio, b) in items.Select((a, b) => (a, b)))
        {
            if (audio.Length != config.AudioChannels)
                throw new ArgumentException($"prompt item {b} has {audio.Length} channel(s), the decoder generates {config.AudioChannels}", nameof(items));
            var channels = audio.Select(ch => codec.Encode(new ArraySampleSource(ch)).Codes).ToArray();
            if (channels.Any(c => c.Length != config.ChannelCodebooks))
                throw new ArgumentException($"the codec gives {channels[0].Length} codebooks per channel, the decoder expects {config.ChannelCodebooks}", nameof(codec));
            // interleave per quantizer: [L0, R0, L1, R1, ...] (mono: unchanged)
            perItem.Add(Enumerable.Range(0, config.NumCodebooks).Select(k => channels[k % config.AudioChannels][k / config.AudioChannels]).ToArray());
        }
        var frames = perItem[0][0].Length;
        if (perItem.Any(c => c[0].Length != frames))
            throw new ArgumentException($"prompt items differ in length ({string.Join(", ", perItem.Select(c => c[0].Length))} frames); give equally long prompts", nameof(items));
        var k = config.NumCodebooks;
        var result = new int[items.Count * k, frames];
        for (var b = 0; b < items.Count; b++)
            for (var q = 0; q < k; q++)
                for (var t = 0; t < frames; t++) result[b * k + q, t] = perItem[b][q][t];
        return result;
    }

    private static void CheckCodec(EncodecCodec codec, MusicGenDecoderConfig config)
    {
        if (codec.Config.AudioChannels != 1)
            throw new ArgumentException($"MusicGen decodes through a mono EnCodec; this one has {codec.Config.AudioChannels} channels", nameof(codec));
        if (codec.Config.CodebookSize != config.VocabSize)
            throw new ArgumentException($"the codec's codebooks hold {codec.Config.CodebookSize} codes, the decoder's vocabulary is {config.VocabSize}", nameof(codec));
    }
}
