using MusicGen.Assistant.Models.M2UGen;
using MusicGen.Assistant.Models.Tokenizers;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Training.Data;
using MusicGen.Assistant.Training.M2UGen;
using MusicGen.Assistant.Training.Optimization;
using MusicGen.Assistant.Training.Procedural;

namespace MusicGen.Assistant.Training.Tests.M2UGen;

/// <summary>
/// Stage 1 on the tiny M2UGen with its gates set to zero, as the release ships them: two clips with different captions.
/// While the gates are zero the answer cannot depend on the audio (tanh(0) = 0 multiplies the whole adapter term);
/// trained with frozen gates (the release's configuration) it still cannot; trained with the gates it does: each clip
/// gets its own caption back, and each caption is far likelier with its own clip attached.
/// </summary>
public class Stage1DeadGateTests
{
    // short template: the tiny LLaMA's context is 160 tokens
    private const string Template = "### Instruction:\n{instruction}\n\n### Response:";

    private sealed class Setup : IDisposable
    {
        public Setup(M2UGenTrainable groups)
        {
            Backend = ComputeBackend.Create(BackendKind.Cpu, threads: 1);
            // two clips as different as the generator makes them, captioned by their lead instrument: the answer's
            // first token is the one the audio must decide
            var layout = new DatasetLayout(Folder.Path);
            var clips = new[]
            {
                new MusicSpec("pluck", new MusicalKey(0, Mode.Major), 140, Meter.FourFour, Timbre.Plucked, Timbre.Struck, DrumStyle.Backbeat, [0, 4, 5, 3], 0.5, 1),
                new MusicSpec("bow", new MusicalKey(9, Mode.Minor), 70, Meter.ThreeFour, Timbre.Bowed, Timbre.Bowed, DrumStyle.None, [0, 5, 3, 4], 0.5, 2),
            };
            Directory.CreateDirectory(layout.AudioFolder);
            foreach (var c in clips)
                Audio.Wav.WavWriter.Write(layout.Audio(c.Id + ".wav"), new Audio.AudioBuffer(24000, [MusicRenderer.Render(c, 24000)]));
            CaptionFile.Write(layout.Captions, clips.Select(c => new CaptionEntry(c.Id + ".wav", MusicSpec.InstrumentName(c.Lead))));
            var everyClipTrains = new DatasetSplits(11, 1, 0, 0);
            Model = M2UGenTrainingModel.Load(TinyM2UGenSet.Parts, Backend, [M2UGenModality.Music], projector: false);
            var bridge = Model.Llama.Bridge;
            for (var layer = bridge.Injection.FirstLayer; layer < Model.Llama.Config.BlockCount; layer++)
                bridge.Gate(layer).SetData<float>(new float[Model.Llama.Config.HeadCount]);
            Tokenizer = TokenizerFiles.LoadLlama(TinyM2UGenSet.Parts.LlamaTokenizerPath);
            Prompt = new M2UGenPrompt(Tokenizer, Template, Model.Llama.Config.ContextLength);
            Encoders = new MediaEncoders(TinyM2UGenSet.Parts.EncoderPaths, Backend);
            var entries = new DatasetEntries(layout, everyClipTrains);
            Examples = new M2UGenExampleBuilder(Prompt, entries, Encoders, null, TinyM2UGenSet.Parts.AudioTokens)
                .Stage1(Split.Train, new HashSet<M2UGenModality> { M2UGenModality.Music });
            Task = new M2UGenTrainingTask(Model, groups, "stage1");
        }

        public TempFolder Folder { get; } = new();
        public ComputeBackend Backend { get; }
        public M2UGenTrainingModel Model { get; }
        public Text.LlamaTokenizer Tokenizer { get; }
        public M2UGenPrompt Prompt { get; }
        public MediaEncoders Encoders { get; }
        public List<M2UGenExample> Examples { get; }
        public M2UGenTrainingTask Task { get; }

        /// <summary>Greedy reply to the stage-1 prompt with the clip's audio attached (the inference path: adapter, gated term, KV cache).</summary>
        public int[] Answer(M2UGenExample e, int tokens)
        {
            using var adapter = new ModalityAdapter(Model.Adapters[M2UGenModality.Music], Backend);
            var vector = adapter.EmbedTimeMeans(e.Media!.Values).Blocks[^1];
            var generator = new M2UGenReplyGenerator(Model.Llama, new LlamaTokenizerTextDecoder(Tokenizer));
            var reply = generator.Generate(e.Prompt.Tokens[..e.Prompt.PromptLength], new M2UGenAdapterInputs(Music: vector),
                new M2UGenGenerationSettings { Temperature = 0, MaxNewTokens = tokens });
            return reply.Reply.ToArray();
        }

        public Trainer<M2UGenExample> Train(int steps)
        {
            var trainer = new Trainer<M2UGenExample>(Task, new OptimizerSettings(LearningRate: 1e-2, MinLearningRate: 1e-3, WarmupSteps: 3, WeightDecay: 0), seed: 3);
            var plan = new BatchPlan<M2UGenExample>(Examples, Examples.Count, 1, 3); // both clips in every step: their contrast is the signal
            for (var s = 0; s < steps; s++) trainer.TrainStep(plan.MicroBatches(s), steps);
            return trainer;
        }

        /// <summary>Answer cross-entropy of example e with the medium of example m attached (teacher forcing).</summary>
        public double Loss(Trainer<M2UGenExample> trainer, M2UGenExample e, M2UGenExample m) =>
            trainer.Evaluate([[e with { Media = m.Media }]]).Loss;

        public void Dispose()
        {
            Encoders.Dispose();
            Model.Dispose();
            Backend.Dispose();
            Folder.Dispose();
        }
    }

    [Fact]
    public void Trained_gates_make_the_answer_depend_on_the_audio()
    {
        using var s = new Setup(M2UGenStages.Default(M2UGenStage.Stage1));
        Assert.Equal(2, s.Examples.Count);
        var (a, b) = (s.Examples[0], s.Examples[1]);
        Assert.NotEqual(a.Prompt.Tokens[a.Prompt.PromptLength..], b.Prompt.Tokens[b.Prompt.PromptLength..]);
        var length = Math.Max(a.Prompt.AnswerLength, b.Prompt.AnswerLength);
        Assert.Equal(s.Answer(a, length), s.Answer(b, length)); // dead gates: the audio has no effect at all
        using var trainer = s.Train(40);
        // each caption is far likelier with its own clip attached than with the other (measured: about 0.1 vs 1.7 nats)
        Assert.True(s.Loss(trainer, a, b) - s.Loss(trainer, a, a) > 0.5, "the first clip's caption does not depend on its audio");
        Assert.True(s.Loss(trainer, b, a) - s.Loss(trainer, b, b) > 0.5, "the second clip's caption does not depend on its audio");
        var gates = Enumerable.Range(s.Model.Llama.Bridge.Injection.FirstLayer, s.Model.Llama.Bridge.Injection.PrefixRows)
            .SelectMany(l => s.Model.Llama.Bridge.Gate(l).ToFloatArray()).ToArray();
        Assert.Contains(gates, g => g != 0);
        var (answerA, answerB) = (s.Answer(a, a.Prompt.AnswerLength), s.Answer(b, b.Prompt.AnswerLength));
        Assert.NotEqual(answerA, answerB);
        // each clip's own caption comes back, token for token
        Assert.Equal(a.Prompt.Tokens[a.Prompt.PromptLength..], answerA);
        Assert.Equal(b.Prompt.Tokens[b.Prompt.PromptLength..], answerB);
    }

    [Fact]
    public void Frozen_zero_gates_keep_the_audio_without_effect()
    {
        using var s = new Setup(M2UGenStages.Default(M2UGenStage.Stage1) & ~M2UGenTrainable.Gates);
        using var trainer = s.Train(5);
        Assert.Equal(s.Loss(trainer, s.Examples[0], s.Examples[0]), s.Loss(trainer, s.Examples[0], s.Examples[1]));
        Assert.Equal(s.Answer(s.Examples[0], 12), s.Answer(s.Examples[1], 12));
    }
}
