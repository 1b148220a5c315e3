using MusicGen.Assistant.Formats.Conversion;
using MusicGen.Assistant.Formats.Safetensors;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// Every output-projector vector of every M2UGen fixture set (fc, encoder memory, ProjectionLayer output, HEAD's
/// gen_emb), computed by our converter + ggml projector from the [AUD] hidden states the fixture recorded and the
/// [AUD] rows of the checkpoint's token embeddings, against M2UGen's own module under the stated tolerance.
/// </summary>
[Trait("Category", "Parity")]
public class ProjectorParityTests
{
    public static TheoryData<string, string> Vectors()
    {
        var data = new TheoryData<string, string>();
        foreach (var set in ProjectorFixtures.Sets())
            foreach (var v in set.Vectors.Where(ProjectorFixtureVectors.Handles))
                data.Add(set.Name, v.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Stage_matches_the_reference(string setName, string vectorName)
    {
        var set = FixtureSet.ByName(setName);
        var stage = ProjectorFixtureVectors.Parse(set.Vector(vectorName));
        var scale = stage.Stage == "scaled" ? stage.Scale : (double?)null;
        var result = Run(set, stage.Hidden, AudEmbeddings(set), StorageType.F32, scale);
        var (values, shape) = stage.Stage switch
        {
            "fc" => (result.Fc, new long[] { result.Batch, result.InputTokens, result.DModel }),
            "memory" => (result.Memory, [result.Batch, result.InputTokens, result.DModel]),
            "output" => (result.Output, [result.Batch, result.OutputTokens, result.OutDim]),
            _ => (result.Embedding, [result.Batch, result.OutputTokens, result.OutDim]),
        };
        ToleranceAssert.Matches(stage.Vector, values.Select(x => (double)x).ToArray(), shape);
    }

    [Fact]
    public void Heads_gen_emb_is_the_head_scale_and_the_default_undoes_the_training_target()
    {
        foreach (var set in ProjectorFixtures.Sets())
            foreach (var scaled in set.Vectors.Where(ProjectorFixtureVectors.Handles).Select(ProjectorFixtureVectors.Parse).Where(s => s.Stage == "scaled"))
            {
                // the fixture's call (0.1 * proj_output / 10) is what ProjectorOutputScale.Head names
                Assert.Equal(ProjectorOutputScale.Head, scaled.Scale, 15);
                var head = Run(set, scaled.Hidden, AudEmbeddings(set), StorageType.F32, ProjectorOutputScale.Head);
                ToleranceAssert.Matches(scaled.Vector, head.Embedding.Select(x => (double)x).ToArray());

                var byDefault = Run(set, scaled.Hidden, AudEmbeddings(set), StorageType.F32, null);
                Assert.Equal(ProjectorOutputScale.UndoTrainingTarget, byDefault.OutputScale);
                Assert.Equal(byDefault.Output.Select(x => x * (float)ProjectorOutputScale.UndoTrainingTarget), byDefault.Embedding);
            }
    }

    [Fact]
    public void The_aud_embeddings_are_the_token_embedding_rows_of_the_aud_ids()
    {
        foreach (var set in ProjectorFixtures.Sets())
        {
            var (vector, _) = ProjectorFixtureVectors.Embeddings(set);
            ToleranceAssert.Matches(vector, AudEmbeddings(set).Select(x => (double)x).ToArray());
        }
    }

    [Fact]
    public void A_batch_projects_each_item_as_alone()
    {
        foreach (var set in ProjectorFixtures.Sets())
        {
            var hiddens = set.Vectors.Where(ProjectorFixtureVectors.Handles).Select(ProjectorFixtureVectors.Parse)
                .Where(s => s.Stage == "output").Select(s => s.Hidden).Distinct().ToList();
            Assert.True(hiddens.Count >= 2, $"{set.Name}: expected two recorded projector runs");
            var emb = AudEmbeddings(set);
            var alone = hiddens.Select(h => Run(set, h, emb, StorageType.F32, null)).ToList();
            using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
            using var projector = OutputProjector.Load(ProjectorFixtures.Gguf(set), backend);
            var both = projector.Project(hiddens.SelectMany(h => set.Vector(h).Values().Select(x => (float)x)).ToArray(), emb, batch: hiddens.Count);
            var per = alone[0].Embedding.Length;
            for (var i = 0; i < hiddens.Count; i++)
            {
                var item = both.Embedding.AsSpan(i * per, per).ToArray();
                for (var j = 0; j < per; j++) Assert.Equal(alone[i].Embedding[j], item[j], 5e-6f);
            }
        }
    }

    [Fact]
    public void F16_weights_stay_close_to_the_reference_output()
    {
        foreach (var set in ProjectorFixtures.Sets())
            foreach (var output in set.Vectors.Where(ProjectorFixtureVectors.Handles).Select(ProjectorFixtureVectors.Parse).Where(s => s.Stage == "output"))
            {
                var actual = Run(set, output.Hidden, AudEmbeddings(set), StorageType.F16, null).Output;
                var expected = output.Vector.Values();
                var error = Math.Sqrt(expected.Select((e, i) => (actual[i] - e) * (actual[i] - e)).Sum() / expected.Sum(e => e * e));
                Assert.True(error is > 0 and < 5e-3, $"{output.Vector} in f16: relative RMS error {error:E2}");
            }
    }

    [Fact]
    public void The_reference_fixtures_hold_every_projector_stage()
    {
        // guards the data-driven theory against silently finding nothing
        var stages = ProjectorFixtures.Sets().SelectMany(s => s.Vectors.Where(ProjectorFixtureVectors.Handles))
            .Select(v => ProjectorFixtureVectors.Parse(v).Stage).ToHashSet();
        Assert.Equal(new HashSet<string> { "fc", "memory", "output", "scaled" }, stages);
    }

    /// <summary>The [AUD] rows of the checkpoint's token embeddings, [N, dim], looked up by the fixture's id vector.</summary>
    internal static float[] AudEmbeddings(FixtureSet set)
    {
        var (_, idsName) = ProjectorFixtureVectors.Embeddings(set);
        var ids = set.Vector(idsName).Values().Select(x => (int)x).ToArray();
        using var checkpoint = SafetensorsCheckpoint.OpenDirectory(set.Directory);
        const string table = "llama.tok_embeddings.weight";
        return AudTokenEmbeddings.Gather(checkpoint.ReadFloat32(table), (int)checkpoint.Shape(table)[1], ids);
    }

    internal static ProjectorResult Run(FixtureSet set, string hidden, float[] audEmbeddings, StorageType type, double? scale)
    {
        var h = set.Vector(hidden);
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var projector = OutputProjector.Load(ProjectorFixtures.Gguf(set, type), backend, scale);
        return projector.Project(h.Values().Select(x => (float)x).ToArray(), audEmbeddings, (int)h.Shape[0]);
    }
}
