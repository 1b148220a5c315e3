using MusicGen.Assistant.Formats.Common;
using MusicGen.Assistant.Models.Llama;
using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Testing;
using static MusicGen.Assistant.Models.Tests.M2UGen.M2UGenLlamaFixtures;

namespace MusicGen.Assistant.Models.Tests.M2UGen;

/// <summary>
/// Both adapter-injection layouts. The fixture covers HEAD only, so the older summed layout is checked against
/// independent computations from the same weights: the gated term of each layer computed on the host in double from
/// the checkpoint tensors, and a HEAD model fed the same vector in every group.
/// </summary>
public class AdapterInjectionTests
{
    [Fact]
    public void The_layout_follows_the_prefix_rows_as_in_the_history_of_m2ugen()
    {
        // the released 7B: 18 rows = 3 x query_layer 6 -> layers 14-19 music, 20-25 image, 26-31 video
        var head = AdapterInjection.FromPrefixRows(18, 32);
        Assert.Equal(AdapterLayout.Head, head.Layout);
        Assert.Equal(14, head.FirstLayer);
        Assert.False(head.Injects(13));
        Assert.Equal([M2UGenModality.Music], head.Contributors(19));
        Assert.Equal([M2UGenModality.Image], head.Contributors(20));
        Assert.Equal([M2UGenModality.Video], head.Contributors(31));
        Assert.Equal(17, head.PrefixRow(31));
        // the Dec 23-31 layout: 20 rows -> layers 12-31 each take every present vector
        var summed = AdapterInjection.FromPrefixRows(20, 32);
        Assert.Equal(AdapterLayout.Summed, summed.Layout);
        Assert.Equal(12, summed.FirstLayer);
        Assert.Equal(M2UGenModalities.All, summed.Contributors(12));
        Assert.Throws<ModelConfigException>(() => AdapterInjection.FromPrefixRows(33, 32));
        Assert.Throws<ModelConfigException>(() => AdapterInjection.FromPrefixRows(20, 32, AdapterLayout.Head));
    }

    [Theory]
    [InlineData(AdapterLayout.Head, true)]
    [InlineData(AdapterLayout.Head, false)]
    [InlineData(AdapterLayout.Summed, true)]
    public void Each_layer_term_is_tanh_gate_times_base_wv_of_its_adapter_input(AdapterLayout layout, bool withAdapters)
    {
        var set = First();
        var inputs = withAdapters ? AllFeats(set) : M2UGenAdapterInputs.None;
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set, layout: layout), backend);
        Assert.Equal(layout, model.Bridge.Injection.Layout);
        using var term = model.AdapterTerm(inputs);
        using var checkpoint = Open(set, M2UGenSource.Safetensors);
        var c = model.Config;
        var prefix = checkpoint.ReadFloat32(M2UGenLlamaCheckpointKeys.PrefixQuery);
        var injection = model.Bridge.Injection;
        for (var layer = 0; layer < c.BlockCount; layer++)
        {
            if (!injection.Injects(layer))
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => term.Read(layer));
                continue;
            }
            // the adapter input built by hand: the layer's prefix row + what the layout adds to it
            var a = prefix.AsSpan(injection.PrefixRow(layer) * c.EmbeddingLength, c.EmbeddingLength).ToArray().Select(x => (double)x).ToArray();
            var contributors = layout == AdapterLayout.Head
                ? [M2UGenModalities.All[injection.PrefixRow(layer) / injection.GroupSize]]
                : M2UGenModalities.All;
            foreach (var m in contributors)
                if (inputs[m] is { } v) for (var i = 0; i < a.Length; i++) a[i] += v[i];
            var expected = HostTerm(checkpoint, layer, a, c.HeadCount);
            var actual = term.Read(layer);
            for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-4);
        }
    }

    [Fact]
    public void The_summed_layout_with_one_vector_equals_head_with_that_vector_in_every_group()
    {
        // summed, music only: every injected layer gets prefix + a; HEAD gets exactly that when a is every group's vector
        var set = First();
        var a = Feats(set, M2UGenModality.Music);
        var tokens = ParseForward(set, set.Vector("fwd_all_last_logits"))!.Tokens;
        using var backend = Cpu();
        using var summed = M2UGenLlama.Load(Gguf(set, layout: AdapterLayout.Summed), backend);
        using var head = M2UGenLlama.Load(Gguf(set), backend);
        var viaSummed = summed.Forward(tokens, new M2UGenAdapterInputs(Music: a)).Logits!;
        var viaHead = head.Forward(tokens, new M2UGenAdapterInputs(a, a, a)).Logits!;
        Assert.Equal(viaHead.Length, viaSummed.Length);
        for (var i = 0; i < viaHead.Length; i++) Assert.Equal(viaHead[i], viaSummed[i], 1e-4f);
        // and the layouts do differ when only one group should see it
        var headMusicOnly = head.Forward(tokens, new M2UGenAdapterInputs(Music: a)).Logits!;
        Assert.True(headMusicOnly.Zip(viaSummed).Max(p => Math.Abs(p.First - p.Second)) > 1e-2f);
    }

    [Fact]
    public void Adapter_vectors_of_the_wrong_width_are_refused()
    {
        var set = First();
        using var backend = Cpu();
        using var model = M2UGenLlama.Load(Gguf(set), backend);
        var e = Assert.Throws<ArgumentException>(() => model.AdapterTerm(new M2UGenAdapterInputs(Image: new float[model.Config.EmbeddingLength + 1])));
        Assert.Contains("image", e.Message);
    }

    private static M2UGenAdapterInputs AllFeats(FixtureSet set) =>
        new(Feats(set, M2UGenModality.Music), Feats(set, M2UGenModality.Image), Feats(set, M2UGenModality.Video));

    // tanh(gate_h) * (Wv a)_h in double, Wv [dim, dim] from the checkpoint (base weight, no LoRA)
    private static double[] HostTerm(ITensorCheckpoint checkpoint, int layer, double[] a, int heads)
    {
        var wv = checkpoint.ReadFloat32(M2UGenLlamaCheckpointKeys.Weight(layer, "wv"));
        var gate = checkpoint.ReadFloat32(M2UGenLlamaCheckpointKeys.Gate(layer));
        var dim = a.Length;
        var headDim = dim / heads;
        var result = new double[dim];
        for (var o = 0; o < dim; o++)
        {
            double sum = 0;
            for (var i = 0; i < dim; i++) sum += wv[o * dim + i] * a[i];
            result[o] = Math.Tanh(gate[o / headDim]) * sum;
        }
        return result;
    }
}
