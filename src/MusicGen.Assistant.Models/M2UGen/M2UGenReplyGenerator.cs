using System.Runtime.CompilerServices;
using MusicGen.Assistant.Models.Llama;

namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>Sampling of an M2UGen reply; the defaults are those its demo and evaluation scripts pass.</summary>
public sealed record M2UGenGenerationSettings
{
    /// <summary>0 = greedy (argmax).</summary>
    public float Temperature { get; init; } = 0.6f;
    public float TopP { get; init; } = 0.8f;

    /// <summary>generate()'s max_gen_len; prompt + reply is also bounded by the model's context (max_seq_len).</summary>
    public int MaxNewTokens { get; init; } = 512;
    public ulong Seed { get; init; }

    /// <summary>
    /// Token ids that are never sampled (their logits are set to -inf before each choice): the [AUD] tokens for a reply
    /// in words only, so a question about music is answered without rendering any. Null or empty: none.
    /// </summary>
    public IReadOnlyCollection<int>? NeverSample { get; init; }

    /// <summary>The LLaMA's attention cache: F32 (the reference's numbers) or F16 (read by one fused node per layer on the CPU).</summary>
    public Native.GgmlType CacheType { get; init; } = Native.GgmlType.F32;

    public static M2UGenGenerationSettings Default { get; } = new();
}

/// <summary>One decided token: its id, its position in the sequence and its index among the new tokens.</summary>
public readonly record struct GeneratedToken(int Id, int Position, int Step);

/// <summary>
/// The outcome of a reply: <see cref="Tokens"/> = prompt + every generated token (generate()'s token buffer without
/// its padding), <see cref="Reply"/> = the generated tokens cut at the first newline and <see cref="Text"/> their
/// decoding, and <see cref="AudioHidden"/> [n_aud, dim]: the hidden states gathered for [AUD0..7], present only when
/// all of them were collected (music is made only then).
/// </summary>
public sealed record M2UGenReply(IReadOnlyList<int> Tokens, int PromptLength, IReadOnlyList<int> Reply, string Text, float[]? AudioHidden, bool StoppedAtMarker)
{
    public bool HasMusic => AudioHidden is not null;
}

/// <summary>
/// M2UGen's generate() (M2UGen/llama/m2ugen.py at 2c702a4) with a real KV cache instead of the release's full-prefix
/// recompute (the adapter term does not depend on the position, so the tokens are the same): sample_top_p with
/// temperature and top-p (argmax at temperature 0), an early stop when the last three tokens decode to "\n###", the
/// reply cut at the first newline token, and the [AUD] capture (<see cref="AudioTokenCapture"/>).
/// </summary>
public sealed class M2UGenReplyGenerator(M2UGenLlama model, ILlamaTextDecoder decoder)
{
    /// <summary>The stop marker generate() checks after every token.</summary>
    public const string StopMarker = "\n###";

    private readonly M2UGenLlama _model = model;
    private readonly ILlamaTextDecoder _decoder = decoder;
    private readonly int _newline = decoder.NewlineId();

    /// <summary>
    /// Generates a whole reply. <paramref name="onToken"/> sees each token as it is decided; <paramref name="onLogits"/>
    /// the logits each token was chosen from (step index, vocab values; valid during the call only).
    /// </summary>
    public M2UGenReply Generate(IReadOnlyList<int> prompt, M2UGenAdapterInputs inputs, M2UGenGenerationSettings? settings = null,
        Action<GeneratedToken>? onToken = null, Action<int, float[]>? onLogits = null, CancellationToken cancellation = default)
    {
        var run = Start(prompt, inputs, settings, onLogits);
        foreach (var token in run.Tokens(cancellation)) onToken?.Invoke(token);
        return run.Reply;
    }

    /// <summary>Prepares one reply; its tokens come from <see cref="Run.Tokens"/> or <see cref="Run.StreamAsync"/>.</summary>
    public Run Start(IReadOnlyList<int> prompt, M2UGenAdapterInputs inputs, M2UGenGenerationSettings? settings = null, Action<int, float[]>? onLogits = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(inputs);
        settings ??= M2UGenGenerationSettings.Default;
        if (settings.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(settings), settings.MaxNewTokens, "MaxNewTokens must not be negative");
        var ids = prompt.ToArray();
        _model.Model.CheckTokens(ids);
        if (ids.Length >= _model.Config.ContextLength)
            throw new ArgumentException($"the prompt's {ids.Length} tokens leave no room in the context of {_model.Config.ContextLength} (max_seq_len)", nameof(prompt));
        if (settings.NeverSample is { Count: > 0 } never)
        {
            var vocab = _model.Config.VocabSize;
            foreach (var id in never)
                if (id < 0 || id >= vocab) throw new ArgumentException($"token {id} is not in the vocabulary of {vocab} (NeverSample)", nameof(settings));
            if (never.Distinct().Count() >= vocab) throw new ArgumentException("NeverSample excludes every token of the vocabulary", nameof(settings));
        }
        // the ids the converted file names, else the tokenizer's added tokens
        var audioTokens = _model.AudioTokenIds.Count > 0 ? _model.AudioTokenIds
            : Enumerable.Range(0, AudioTokenCapture.DefaultCount).Select(i => _decoder.FindToken($"[AUD{i}]")).TakeWhile(id => id is not null).Select(id => id!.Value).ToList();
        return new Run(this, ids, inputs, settings, new AudioTokenCapture(audioTokens, _model.Config.EmbeddingLength), onLogits);
    }

    /// <summary>One reply being generated; not reusable.</summary>
    public sealed class Run
    {
        private readonly M2UGenReplyGenerator _owner;
        private readonly int[] _prompt;
        private readonly M2UGenAdapterInputs _inputs;
        private readonly M2UGenGenerationSettings _settings;
        private readonly AudioTokenCapture _capture;
        private readonly Action<int, float[]>? _onLogits;
        private readonly List<int> _tokens;
        private bool _started;
        private M2UGenReply? _reply;

        internal Run(M2UGenReplyGenerator owner, int[] prompt, M2UGenAdapterInputs inputs, M2UGenGenerationSettings settings,
            AudioTokenCapture capture, Action<int, float[]>? onLogits)
        {
            (_owner, _prompt, _inputs, _settings, _capture, _onLogits) = (owner, prompt, inputs, settings, capture, onLogits);
            _tokens = [.. prompt];
        }

        /// <summary>The finished reply (after <see cref="Tokens"/> or <see cref="StreamAsync"/> ran to the end).</summary>
        public M2UGenReply Reply => _reply ?? throw new InvalidOperationException("the reply is not finished yet");

        /// <summary>Streams the tokens as they are decided, yielding between steps.</summary>
        public async IAsyncEnumerable<GeneratedToken> StreamAsync([EnumeratorCancellation] CancellationToken cancellation = default)
        {
            foreach (var token in Tokens(cancellation))
            {
                yield return token;
                await Task.Yield();
            }
        }

        /// <summary>The tokens, each computed when asked for; cancellation is checked before every step.</summary>
        public IEnumerable<GeneratedToken> Tokens(CancellationToken cancellation = default)
        {
            if (_started) throw new InvalidOperationException("a reply runs once");
            _started = true;
            var llama = _owner._model;
            var total = Math.Min(llama.Config.ContextLength, _prompt.Length + _settings.MaxNewTokens);
            var sampler = new TopPSampler(_settings.Temperature, _settings.TopP, _settings.Seed);
            var stopped = false;
            if (total > _prompt.Length)
            {
                cancellation.ThrowIfCancellationRequested();
                using var term = llama.AdapterTerm(_inputs);
                using var session = llama.Model.StartSession(total, term, _settings.CacheType);
                var step = session.Prefill(_prompt);
                for (var position = _prompt.Length; position < total; position++)
                {
                    cancellation.ThrowIfCancellationRequested();
                    _onLogits?.Invoke(position - _prompt.Length, step.Logits);
                    Exclude(step.Logits, _settings.NeverSample);
                    var next = sampler.Sample(step.Logits);
                    _tokens.Add(next);
                    // the hidden state of the position whose logits chose this token
                    _capture.Observe(next, step.LastHidden);
                    yield return new GeneratedToken(next, position, position - _prompt.Length);
                    if (EndsWithMarker(position)) { stopped = true; break; }
                    if (position + 1 == total) break;
                    cancellation.ThrowIfCancellationRequested();
                    session.Step(next, step.Logits, step.LastHidden);
                }
            }
            _reply = Finish(stopped);
        }

        private static void Exclude(float[] logits, IReadOnlyCollection<int>? never)
        {
            if (never is null) return;
            foreach (var id in never) logits[id] = float.NegativeInfinity;
        }

        // generate(): tokenizer.decode(tokens[0, cur_pos - 2:cur_pos + 1]) == "\n###"
        private bool EndsWithMarker(int position) =>
            position >= 2 && _owner._decoder.Decode(_tokens.GetRange(position - 2, 3)) == StopMarker;

        private M2UGenReply Finish(bool stopped)
        {
            var generated = _tokens.Skip(_prompt.Length).Take(_settings.MaxNewTokens).ToList();
            var cut = generated.IndexOf(_owner._newline);
            var reply = cut >= 0 ? generated.GetRange(0, cut) : generated;
            return new M2UGenReply(_tokens.ToArray(), _prompt.Length, reply, _owner._decoder.Decode(reply), _capture.Collected(), stopped);
        }
    }
}
