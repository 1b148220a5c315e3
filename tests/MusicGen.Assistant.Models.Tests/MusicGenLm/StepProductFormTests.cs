using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Decode steps in either product form (all rows as one matrix, or one slice per row) give the teacher-forced
/// logits, and so each other: the form the decoder measures as faster never changes results beyond float rounding.
/// </summary>
public class StepProductFormTests
{
    // every text-to-music set with teacher-forcing vectors
    public static TheoryData<string> Sets() =>
        new(MusicGenFixtures.Sets().Where(s => s.Vectors.Any(v => v.Name == "tf_decoder_input_ids")).Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Sets))]
    public void Both_forms_give_the_teacher_forced_logits(string setName)
    {
        var set = FixtureSet.ByName(setName);
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var ids = Grids.Matrix(set.Vector("tf_decoder_input_ids"));
        var conditioning = MusicGenFixtures.Conditioning(set, "tf_encoder_hidden_states_projected", "tf_text_attention_mask");
        var teacher = decoder.Forward(ids, conditioning);

        var byForm = new Dictionary<ProductForm, float[]>();
        foreach (var form in new[] { ProductForm.OneMatrix, ProductForm.RowSlices })
        {
            decoder.StepFormOverride = form;
            byForm[form] = Stepped(decoder, ids, conditioning, out var chosen);
            Assert.Equal(form, chosen);
            var worst = teacher.Zip(byForm[form], (a, b) => Math.Abs(a - b)).Max();
            Assert.True(worst < 2e-5f, $"{form}: stepped logits differ from teacher forcing by up to {worst}");
            ToleranceAssert.Matches(set.Vector("tf_logits"), byForm[form].Select(x => (double)x).ToArray());
        }
        var between = byForm[ProductForm.OneMatrix].Zip(byForm[ProductForm.RowSlices], (a, b) => Math.Abs(a - b)).Max();
        Assert.True(between < 2e-5f, $"the two forms differ by up to {between}");
    }

    [Fact]
    public void The_measured_choice_is_one_of_the_forms_with_both_timed()
    {
        var set = MusicGenFixtures.Sets().First();
        using var backend = MusicGenFixtures.Cpu();
        using var decoder = MusicGenFixtures.LoadDecoder(set, backend);
        var matrices = decoder.Weights.StepMatrices().ToList();
        var t = ProductFormProbe.Measure(backend, matrices, rows: 2, minRounds: 3, maxRounds: 3, TimeSpan.Zero);
        Assert.Equal(3, t.Rounds);
        Assert.True(t.OneMatrixMs > 0 && t.RowSlicesMs > 0, t.ToString());
        Assert.Equal(t.RowSlicesMs < 0.97 * t.OneMatrixMs ? ProductForm.RowSlices : ProductForm.OneMatrix, t.Chosen);
        // one row has nothing to choose (unless MGA_PRODUCT_FORM fixes the form); a fixed form is taken as given
        Assert.Equal(ProductForms.FromEnvironment() is null ? "one row" : "fixed", ProductFormProbe.Choose(backend, matrices, rows: 1).How);
        Assert.Equal(ProductForm.RowSlices, ProductFormProbe.Choose(backend, matrices, 2, ProductForm.RowSlices).Chosen);
        // measured once per process and model: the second call is the remembered result
        decoder.StepFormOverride = null;
        if (ProductForms.FromEnvironment() is null) Assert.Same(decoder.ChooseStepForm(2), decoder.ChooseStepForm(2));
    }

    private static float[] Stepped(MusicGenDecoder decoder, int[,] ids, MusicGenConditioning conditioning, out ProductForm chosen)
    {
        var (rowsK, n, v) = (ids.GetLength(0), ids.GetLength(1), decoder.Config.VocabSize);
        using var session = decoder.StartSession(conditioning, capacity: n);
        chosen = session.StepForm.Chosen;
        var result = new float[rowsK * n * v];
        var tokens = new int[rowsK];
        var step = new float[rowsK * v];
        for (var j = 0; j < n; j++)
        {
            for (var r = 0; r < rowsK; r++) tokens[r] = ids[r, j];
            session.Step(tokens, step);
            for (var r = 0; r < rowsK; r++) Array.Copy(step, r * v, result, (r * n + j) * v, v);
        }
        return result;
    }
}
