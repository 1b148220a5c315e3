using MusicGen.Assistant.Models.Encodec;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.Encodec;

/// <summary>Chunked processing (bounded memory) gives the same result as one pass over the whole signal.</summary>
public class EncodecChunkingTests
{
    private static float[] LongSignal(int samples, int seed)
    {
        var rng = new Random(seed);
        var x = new float[samples];
        for (var i = 0; i < samples; i++)
            x[i] = (float)(0.4 * Math.Sin(2 * Math.PI * 220 * i / 32000.0) + 0.3 * Math.Sin(2 * Math.PI * 1375 * i / 32000.0) + 0.05 * (rng.NextDouble() - 0.5));
        return x;
    }

    [Fact]
    public void Chunked_encode_and_decode_equal_a_single_pass()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var whole = EncodecCodec.Load(ConvertedFixtures.Gguf(set), backend, chunkFrames: 400);
        using var chunked = EncodecCodec.Load(ConvertedFixtures.Gguf(set), backend, chunkFrames: 9);
        var signal = LongSignal(61 * 640 + 123, 3); // 62 frames, a partial last frame

        var a = whole.Encode(new ArraySampleSource(signal), keepEmbeddings: true);
        var b = chunked.Encode(new ArraySampleSource(signal), keepEmbeddings: true);
        Assert.Equal(62, a.Codes[0].Length);
        for (var i = 0; i < a.Embeddings!.Length; i++)
            Assert.True(Math.Abs(a.Embeddings[i] - b.Embeddings![i]) <= 1e-5 * (1 + Math.Abs(a.Embeddings[i])), $"embedding {i}: {a.Embeddings[i]} vs {b.Embeddings[i]}");
        var mismatches = a.Codes.Zip(b.Codes).Sum(p => p.First.Zip(p.Second).Count(x => x.First != x.Second));
        Assert.True(mismatches <= 2, $"{mismatches} codes differ between chunked and whole encoding"); // random weights: near-ties possible

        var audioA = whole.Decode(a.Codes)[0];
        var audioB = chunked.Decode(a.Codes)[0];
        Assert.Equal(62 * 640, audioA.Length);
        for (var i = 0; i < audioA.Length; i++)
            Assert.True(Math.Abs(audioA[i] - audioB[i]) <= 1e-5 * (1 + Math.Abs(audioA[i])), $"sample {i}: {audioA[i]} vs {audioB[i]}");
    }

    [Fact]
    public void Windows_cover_every_frame_once_and_hand_over_the_state()
    {
        var windows = EncodecChunking.Windows(100, 30).ToList();
        Assert.Equal([0L, 30, 60, 90], windows.Select(w => w.Start));
        Assert.Equal(100, windows[^1].End);
        Assert.True(windows[^1].IsLast);
        for (var i = 1; i < windows.Count; i++)
        {
            Assert.Equal(windows[i - 1].End, windows[i].Start);
            Assert.Equal(windows[i - 1].StateFrame, windows[i].LstmStart); // state handed over exactly where the next LSTM starts
            Assert.True(windows[i].LstmStart <= windows[i].Start - EncodecChunking.Lookaround);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => EncodecChunking.Windows(10, EncodecChunking.Lookaround).ToList());
    }

    [Fact]
    public void Out_of_range_codes_are_refused_before_reaching_ggml()
    {
        var set = FixtureSet.ByName("musicgen-tiny");
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);
        using var codec = EncodecCodec.Load(ConvertedFixtures.Gguf(set), backend);
        var bad = Enumerable.Range(0, 4).Select(_ => new int[5]).ToArray();
        bad[2][3] = codec.Config.CodebookSize;
        var e = Assert.Throws<GgmlException>(() => codec.Decode(bad));
        Assert.Contains("codebook 2", e.Message);
    }
}
