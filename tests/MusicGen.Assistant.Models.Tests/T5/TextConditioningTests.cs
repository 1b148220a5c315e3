using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.T5;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Tests.T5;

/// <summary>
/// MusicGen's text conditioning (T5 → enc_to_dec_proj → × mask) on random-weight models, with and without the
/// projection, checked against the encoder output projected on the host.
/// </summary>
public sealed class TextConditioningTests : IDisposable
{
    private readonly ComputeBackend _backend = ComputeBackend.Create(BackendKind.Cpu, threads: null);

    public void Dispose() => _backend.Dispose();

    [Fact]
    public void Projects_every_real_position_and_zeroes_the_padding()
    {
        var config = RandomT5Models.Small("relu");
        var path = RandomT5Models.Gguf("relu-projected", config, projectionWidth: 24);
        using var conditioning = TextConditioning.Load(path, _backend, decoderHiddenSize: 24);
        Assert.True(conditioning.HasProjection);
        Assert.Equal(24, conditioning.HiddenSize);
        var (ids, mask) = RandomT5Models.Batch(config.VocabSize, 10, 10, 4);
        var actual = conditioning.Encode(ids, mask);
        var hidden = conditioning.Encoder.Encode(ids, mask);

        using var file = GgufFile.Open(path);
        var reference = new T5HostReference(file);
        float[] w = reference.Weights(T5Keys.ProjectionWeight), bias = reference.Weights(T5Keys.ProjectionBias);
        Assert.Equal(2 * 10 * 24, actual.Length);
        for (var b = 0; b < 2; b++)
            for (var t = 0; t < 10; t++)
                for (var o = 0; o < 24; o++)
                {
                    var at = (b * 10 + t) * 24 + o;
                    if (mask[b, t] == 0)
                    {
                        Assert.Equal(0f, actual[at]); // exactly zero, bias included
                        continue;
                    }
                    var expected = (double)bias[o];
                    for (var i = 0; i < 16; i++) expected += w[o * 16 + i] * hidden[(b * 10 + t) * 16 + i];
                    Assert.InRange(actual[at] - expected, -1e-5, 1e-5);
                }
        Assert.Contains(actual, x => Math.Abs(x) > 0.1);
    }

    [Fact]
    public void Without_a_projection_the_masked_encoder_output_is_used()
    {
        var config = RandomT5Models.Small("relu");
        using var conditioning = TextConditioning.Load(RandomT5Models.Gguf("relu", config), _backend, decoderHiddenSize: 16);
        Assert.False(conditioning.HasProjection);
        Assert.Equal(16, conditioning.HiddenSize);
        var (ids, mask) = RandomT5Models.Batch(config.VocabSize, 8, 5, 8);
        var actual = conditioning.Encode(ids, mask);
        var hidden = conditioning.Encoder.Encode(ids, mask);
        for (var i = 0; i < actual.Length; i++)
        {
            var (b, t) = (i / (8 * 16), i / 16 % 8);
            Assert.Equal(mask[b, t] == 1 ? hidden[i] : 0f, actual[i]);
        }
    }

    [Fact]
    public void A_decoder_width_that_does_not_fit_is_refused()
    {
        var config = RandomT5Models.Small("relu");
        var projected = RandomT5Models.Gguf("relu-projected", config, projectionWidth: 24);
        Assert.Contains($"'{T5Keys.ProjectionWeight}' projects to 24, but the decoder's hidden size is 32",
            Assert.Throws<ModelWeightsException>(() => TextConditioning.Load(projected, _backend, decoderHiddenSize: 32)).Message);
        Assert.Contains($"missing tensor '{T5Keys.ProjectionWeight}' (T5 d_model 16 differs from the decoder's hidden size 24)",
            Assert.Throws<ModelWeightsException>(() => TextConditioning.Load(RandomT5Models.Gguf("relu", config), _backend, decoderHiddenSize: 24)).Message);
    }
}
