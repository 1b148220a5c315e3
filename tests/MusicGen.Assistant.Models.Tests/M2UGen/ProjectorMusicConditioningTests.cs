using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Models.Tests.Encodec;
using MusicGen.Assistant.Models.Tests.MusicGenLm;
using MusicGen.Assistant.Models.Tests.T5;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// The projector path end to end on the fixtures: the m2ugen projector's output conditions a MusicGen whose text
/// encoder has its width (enc_to_dec_proj applied on every position, guided generation runs), and a MusicGen of
/// another text width refuses it, naming both widths.
/// </summary>
public class ProjectorMusicConditioningTests
{
    [Fact]
    public void The_projector_output_conditions_a_musicgen_of_its_width()
    {
        var m2ugen = ProjectorFixtures.Sets().First();
        var music = MusicGenFixtures.Sets().First(s => s.Name == "musicgen-tiny");
        var hidden = m2ugen.Vectors.Where(ProjectorFixtureVectors.Handles).Select(ProjectorFixtureVectors.Parse).First(s => s.Stage == "output").Hidden;
        var projected = ProjectorParityTests.Run(m2ugen, hidden, ProjectorParityTests.AudEmbeddings(m2ugen), Formats.Conversion.StorageType.F32, null);

        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(music, backend);
        using var source = EncoderStatesConditioning.Load(ConvertedFixtures.Gguf(music), backend, decoder.Config.HiddenSize);
        Assert.Equal(projected.OutDim, source.StatesWidth); // the fixtures were built to fit (32 = T5 d_model)
        var conditioning = source.Condition(projected);
        Assert.Equal((projected.Batch, projected.OutputTokens, decoder.Config.HiddenSize), (conditioning.Batch, conditioning.Length, conditioning.Dim));
        Assert.All(conditioning.Keep, Assert.True);

        // enc_to_dec_proj of the scaled output, checked on the host
        using var gguf = Formats.Gguf.GgufFile.Open(ConvertedFixtures.Gguf(music));
        var w = gguf.ReadFloat32(Models.T5.T5Keys.ProjectionWeight);
        var b = gguf.ReadFloat32(Models.T5.T5Keys.ProjectionBias);
        int din = projected.OutDim, dout = decoder.Config.HiddenSize;
        for (var t = 0; t < projected.OutputTokens; t++)
            for (var o = 0; o < dout; o++)
            {
                var expected = (double)b[o];
                for (var i = 0; i < din; i++) expected += w[o * din + i] * projected.Embedding[t * din + i];
                Assert.InRange(conditioning.HiddenStates[t * dout + o] - expected, -1e-5, 1e-5);
            }

        var generation = new MusicGenGenerator(decoder).Generate(new MusicGenGenerationRequest
        {
            Conditioning = conditioning, MaxNewTokens = 8, Sampling = SamplingSettings.Greedy with { GuidanceScale = 3 },
        });
        Assert.Equal(projected.Batch * decoder.Config.NumCodebooks, generation.Codes.GetLength(0));
    }

    [Fact]
    public void A_projector_of_another_width_than_the_text_encoder_is_refused()
    {
        var m2ugen = ProjectorFixtures.Sets().First();
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var projector = OutputProjector.Load(ProjectorFixtures.Gguf(m2ugen), backend);
        var t5 = RandomT5Models.Small("relu");
        Assert.NotEqual(projector.Config.OutDim, t5.DModel);
        using var source = EncoderStatesConditioning.Load(RandomT5Models.Gguf("relu-projected-for-projector", t5, projectionWidth: 24), backend);
        var e = Assert.Throws<ModelConfigException>(() => source.CheckProjector(projector.Config));
        Assert.Contains($"out_dim {projector.Config.OutDim}", e.Message);
        Assert.Contains($"{t5.DModel}-wide text encoder states", e.Message);

        var c = projector.Config;
        var result = projector.Project(new float[c.InputTokens * c.InDim], new float[c.InputTokens * c.InDim]);
        Assert.Contains($"out_dim {c.OutDim}", Assert.Throws<ModelConfigException>(() => source.Condition(result)).Message);
    }
}
