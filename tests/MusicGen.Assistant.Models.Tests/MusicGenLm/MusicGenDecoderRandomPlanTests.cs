using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Models.MusicGenLm;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

public class MusicGenDecoderRandomPlanTests
{
    private static readonly MusicGenDecoderConfig Tiny = new()
    {
        VocabSize = 32, HiddenSize = 16, NumHiddenLayers = 2, NumAttentionHeads = 2, FfnDim = 32, NumCodebooks = 4,
        MaxPositionEmbeddings = 64, PadTokenId = 32, BosTokenId = 32,
    };

    [Fact]
    public void A_random_decoder_is_deterministic_loads_and_runs()
    {
        var dir = Directory.CreateTempSubdirectory("mga-random-decoder-").FullName;
        try
        {
            var a = Path.Combine(dir, "a.gguf");
            var b = Path.Combine(dir, "b.gguf");
            GgufConverter.Write(new MusicGenDecoderRandomPlan(Tiny, 5), a, StorageType.F32, "test");
            GgufConverter.Write(new MusicGenDecoderRandomPlan(Tiny, 5), b, StorageType.F32, "test");
            Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));

            using var backend = MusicGenFixtures.Cpu();
            using var decoder = MusicGenDecoder.Load(a, backend);
            Assert.Equal(Tiny, decoder.Config);
            var generation = new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
            {
                Conditioning = new MusicGenConditioning(Enumerable.Range(0, 3 * 16).Select(i => MathF.Sin(i)).ToArray(), null, 1, 3, 16),
                MaxNewTokens = 10,
                Seed = 1,
            });
            Assert.Equal(7, generation.Frames);
            Assert.All(generation.Codes.Cast<int>(), c => Assert.InRange(c, 0, 31));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }
}
