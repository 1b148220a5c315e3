using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.M2UGen;
using MusicGen.Assistant.Training.Optimization;

namespace MusicGen.Assistant.Training.Tests.M2UGen;

/// <summary>The training graph computes what inference computes: its answer cross-entropy equals the one from the inference forward's logits.</summary>
public class TrainingForwardParityTests
{
    [Fact]
    public void Training_loss_equals_cross_entropy_of_the_inference_logits()
    {
        using var backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
        using var model = M2UGenTrainingModel.Load(TinyM2UGenSet.Parts, backend, [M2UGenModality.Music], projector: false);
        var c = model.Llama.Config;
        var adapter = model.Adapters[M2UGenModality.Music].Config;
        var r = new MusicGen.Assistant.Training.Procedural.SeededRandom(5);
        var features = Enumerable.Range(0, adapter.Channels * adapter.InWidth).Select(_ => (float)r.Gaussian()).ToArray();
        var tokens = Enumerable.Range(0, 24).Select(_ => r.Next(3, c.VocabSize - 8)).ToArray();
        var example = new M2UGenExample("x", new PromptTokens(tokens, 10), new MediaFeatures(M2UGenModality.Music, features, adapter.Channels, adapter.InWidth));
        var task = new M2UGenTrainingTask(model, M2UGenStages.Default(M2UGenStage.Stage1), "parity");
        using var trainer = new Trainer<M2UGenExample>(task, new OptimizerSettings(), seed: 1);
        var trained = trainer.Evaluate([[example]]).Loss;

        using var a = new ModalityAdapter(model.Adapters[M2UGenModality.Music], backend);
        var vector = a.EmbedTimeMeans(features).Blocks[^1];
        var logits = model.Llama.Forward(tokens, new M2UGenAdapterInputs(Music: vector)).Logits!;
        double ce = 0;
        for (var t = 10; t < tokens.Length; t++)
        {
            var row = logits.AsSpan((t - 1) * c.VocabSize, c.VocabSize);
            var max = double.MinValue;
            foreach (var v in row) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in row) sum += Math.Exp(v - max);
            ce += max + Math.Log(sum) - row[tokens[t]];
        }
        ce /= tokens.Length - 10;
        Assert.Equal(ce, trained, 4);
    }
}

/// <summary>The repository's instruction template with its history slot empty is M2UGen's format_prompt, byte for byte.</summary>
public class PromptTemplateTests
{
    [Fact]
    public void The_repository_template_is_format_prompt_for_a_single_turn()
    {
        var path = M2UGenPrompt.FindTemplate(MusicGen.Assistant.Testing.FixturePaths.RepositoryRoot);
        Assert.NotNull(path);
        var tokenizer = MusicGen.Assistant.Models.Tokenizers.TokenizerFiles.LoadLlama(TinyM2UGenSet.Parts.LlamaTokenizerPath);
        var fromFile = new M2UGenPrompt(tokenizer, M2UGenPrompt.LoadTemplate(path!));
        var builtIn = new M2UGenPrompt(tokenizer);
        Assert.Equal(builtIn.Format("Describe the music."), fromFile.Format("Describe the music."));
        Assert.Equal(builtIn.Encode("", "A calm tune.")!.Tokens, fromFile.Encode("", "A calm tune.")!.Tokens);
    }
}
