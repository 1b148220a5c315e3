using System.Runtime.CompilerServices;

namespace MusicGen.Assistant.Models.Llama;

/// <summary>How <see cref="LlamaGenerator"/> continues a prompt.</summary>
public sealed record LlamaGenerationSettings
{
    public int MaxNewTokens { get; init; } = 256;

    /// <summary>0 = greedy (argmax).</summary>
    public float Temperature { get; init; }
    public float TopP { get; init; } = 1f;
    public ulong Seed { get; init; }

    /// <summary>Tokens that end the continuation (emitted, then stop), e.g. the end-of-sequence id.</summary>
    public IReadOnlyCollection<int> StopTokens { get; init; } = [];

    public static LlamaGenerationSettings Greedy(int maxNewTokens) => new() { MaxNewTokens = maxNewTokens };
}

/// <summary>
/// Continues a prompt with a <see cref="LlamaSession"/>: one batched prefill, then one cached step per token, sampled
/// by a <see cref="TopPSampler"/>; the prompt plus the continuation stays within the model's context. Tokens stream as
/// they come; cancellation is honoured between steps.
/// </summary>
public sealed class LlamaGenerator(LlamaModel model)
{
    /// <summary>The prompt followed by the new tokens (transformers' generate() sequences).</summary>
    public int[] Generate(IReadOnlyList<int> prompt, LlamaGenerationSettings settings, CancellationToken cancellation = default)
    {
        var sequence = prompt.ToList();
        foreach (var token in Tokens(prompt, settings, cancellation)) sequence.Add(token);
        return sequence.ToArray();
    }

    /// <summary>The new tokens as they are decided.</summary>
    public async IAsyncEnumerable<int> StreamAsync(IReadOnlyList<int> prompt, LlamaGenerationSettings settings,
        [EnumeratorCancellation] CancellationToken cancellation = default)
    {
        foreach (var token in Tokens(prompt, settings, cancellation))
        {
            yield return token;
            await Task.Yield();
        }
    }

    /// <summary>The new tokens, lazily: each is computed when the caller asks for it.</summary>
    public IEnumerable<int> Tokens(IReadOnlyList<int> prompt, LlamaGenerationSettings settings, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.MaxNewTokens < 0) throw new ArgumentOutOfRangeException(nameof(settings), settings.MaxNewTokens, "MaxNewTokens must not be negative");
        var ids = prompt.ToArray();
        model.CheckTokens(ids);
        if (ids.Length >= model.Config.ContextLength)
            throw new ArgumentException($"the prompt's {ids.Length} tokens leave no room in the context of {model.Config.ContextLength}", nameof(prompt));
        return Run(ids, settings, cancellation);
    }

    private IEnumerable<int> Run(int[] prompt, LlamaGenerationSettings settings, CancellationToken cancellation)
    {
        var total = Math.Min(model.Config.ContextLength, prompt.Length + settings.MaxNewTokens);
        if (total == prompt.Length) yield break;
        var sampler = new TopPSampler(settings.Temperature, settings.TopP, settings.Seed);
        cancellation.ThrowIfCancellationRequested();
        using var session = model.StartSession(total);
        var step = session.Prefill(prompt);
        for (var position = prompt.Length; position < total; position++)
        {
            cancellation.ThrowIfCancellationRequested();
            var next = sampler.Sample(step.Logits);
            yield return next;
            if (settings.StopTokens.Contains(next) || position + 1 == total) yield break;
            cancellation.ThrowIfCancellationRequested();
            session.Step(next, step.Logits, step.LastHidden);
        }
    }
}
