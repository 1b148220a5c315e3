using System.Text.Json;
using MusicGen.Assistant.Text.SentencePiece;

namespace MusicGen.Assistant.Text.HuggingFace;

/// <summary>
/// Maps a tokenizer.json <c>normalizer</c> + <c>pre_tokenizer</c> onto sentencepiece's NormalizerSpec.
/// Supported normalizer steps (alone or in a <c>Sequence</c>): <c>Precompiled</c> (base64 charsmap or null, must come
/// first), <c>Replace</c> of the regex <c>" {2,}"</c> by <c>" "</c> or <c>"▁"</c> (folds space runs), <c>Strip</c>.
/// Supported pre-tokenizers: <c>Metaspace</c> with replacement "▁" (<c>add_prefix_space</c> or
/// <c>prepend_scheme</c> always/first/never), optionally after <c>WhitespaceSplit</c> in a <c>Sequence</c>.
/// The steps must together amount to sentencepiece's whitespace handling: either remove_extra_whitespaces (runs
/// folded, trailing spaces dropped, leading spaces dropped or absorbed by the prefix), as in every T5 conversion,
/// or no whitespace steps at all with no dummy prefix. Anything else is refused with a message naming the step.
/// </summary>
internal static class TokenizerJsonWhitespace
{
    private const string SpaceSymbol = "\u2581";

    private sealed class Steps
    {
        public byte[] Charsmap = [];
        public bool SawPrecompiled, SawOtherNormalizer;
        public bool FoldRuns, TrimLeft, TrimRight;
        public bool? AddPrefix;
    }

    public static NormalizerSpec Translate(JsonElement root, string source)
    {
        var steps = new Steps();
        if (root.TryGetProperty("normalizer", out var normalizer) && normalizer.ValueKind != JsonValueKind.Null)
            ReadNormalizer(normalizer, steps, source, "normalizer");
        if (!root.TryGetProperty("pre_tokenizer", out var pre) || pre.ValueKind == JsonValueKind.Null)
            throw new TokenizerFormatException(source, "pre_tokenizer is missing; a Metaspace pre-tokenizer (spaces as \"▁\") is required");
        ReadPreTokenizer(pre, steps, source, "pre_tokenizer");
        if (steps.AddPrefix is not bool addPrefix)
            throw new TokenizerFormatException(source, "pre_tokenizer has no Metaspace step; spaces must be replaced by \"▁\"");

        bool anyWhitespaceStep = steps.FoldRuns || steps.TrimLeft || steps.TrimRight;
        bool removeExtra = steps.FoldRuns && steps.TrimRight && (steps.TrimLeft || addPrefix);
        if (anyWhitespaceStep && !removeExtra)
            throw new TokenizerFormatException(source,
                $"the whitespace steps (fold runs: {steps.FoldRuns}, strip left: {steps.TrimLeft}, strip right: {steps.TrimRight}, " +
                $"prefix: {addPrefix}) have no exact sentencepiece equivalent; expected space-run folding plus right stripping as T5 uses");
        if (!anyWhitespaceStep && addPrefix)
            throw new TokenizerFormatException(source,
                "a Metaspace prefix without whitespace folding has no exact sentencepiece equivalent (Hugging Face skips the prefix when the text starts with a space)");

        return new NormalizerSpec
        {
            Name = "tokenizer.json",
            PrecompiledCharsmap = steps.Charsmap,
            AddDummyPrefix = addPrefix,
            RemoveExtraWhitespaces = removeExtra,
            EscapeWhitespaces = true,
        };
    }

    private static void ReadNormalizer(JsonElement step, Steps steps, string source, string path)
    {
        string type = TypeOf(step, source, path);
        switch (type)
        {
            case "Sequence":
                if (!step.TryGetProperty("normalizers", out var list) || list.ValueKind != JsonValueKind.Array)
                    throw new TokenizerFormatException(source, $"{path} (Sequence) has no \"normalizers\" array");
                int i = 0;
                foreach (var inner in list.EnumerateArray()) ReadNormalizer(inner, steps, source, $"{path}.normalizers[{i++}]");
                break;
            case "Precompiled":
                if (steps.SawPrecompiled || steps.SawOtherNormalizer)
                    throw new TokenizerFormatException(source, $"{path}: Precompiled must be the first normalizer step and appear once");
                steps.SawPrecompiled = true;
                steps.Charsmap = ReadCharsmap(step, source, path);
                break;
            case "Replace":
                steps.SawOtherNormalizer = true;
                ReadReplace(step, steps, source, path);
                break;
            case "Strip":
                steps.SawOtherNormalizer = true;
                steps.TrimLeft |= Flag(step, "strip_left", source, path);
                steps.TrimRight |= Flag(step, "strip_right", source, path);
                break;
            default:
                throw new TokenizerFormatException(source,
                    $"{path}: normalizer \"{type}\" is not supported (supported: Sequence, Precompiled, Replace of \" {{2,}}\", Strip)");
        }
    }

    private static byte[] ReadCharsmap(JsonElement step, string source, string path)
    {
        if (!step.TryGetProperty("precompiled_charsmap", out var map) || map.ValueKind == JsonValueKind.Null) return [];
        if (map.ValueKind != JsonValueKind.String)
            throw new TokenizerFormatException(source, $"{path}.precompiled_charsmap must be a base64 string or null");
        try
        {
            return Convert.FromBase64String(map.GetString()!);
        }
        catch (FormatException e)
        {
            throw new TokenizerFormatException(source, $"{path}.precompiled_charsmap is not valid base64", e);
        }
    }

    private static void ReadReplace(JsonElement step, Steps steps, string source, string path)
    {
        string? regex = step.TryGetProperty("pattern", out var pattern) && pattern.ValueKind == JsonValueKind.Object
                        && pattern.TryGetProperty("Regex", out var r) && r.ValueKind == JsonValueKind.String
            ? r.GetString()
            : null;
        string? content = step.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        if (regex != " {2,}" || content is not (" " or SpaceSymbol))
            throw new TokenizerFormatException(source,
                $"{path}: Replace {step.GetRawText()} is not supported; only the T5 space-run folding (Regex \" {{2,}}\" -> \" \" or \"▁\") is");
        steps.FoldRuns = true;
    }

    private static void ReadPreTokenizer(JsonElement step, Steps steps, string source, string path)
    {
        string type = TypeOf(step, source, path);
        switch (type)
        {
            case "Sequence":
                if (!step.TryGetProperty("pretokenizers", out var list) || list.ValueKind != JsonValueKind.Array)
                    throw new TokenizerFormatException(source, $"{path} (Sequence) has no \"pretokenizers\" array");
                int i = 0;
                foreach (var inner in list.EnumerateArray()) ReadPreTokenizer(inner, steps, source, $"{path}.pretokenizers[{i++}]");
                break;
            case "WhitespaceSplit":
                if (steps.AddPrefix is not null)
                    throw new TokenizerFormatException(source, $"{path}: WhitespaceSplit after Metaspace is not supported");
                // Splitting on whitespace drops leading, trailing and repeated spaces.
                steps.FoldRuns = steps.TrimLeft = steps.TrimRight = true;
                break;
            case "Metaspace":
                if (steps.AddPrefix is not null)
                    throw new TokenizerFormatException(source, $"{path}: only one Metaspace step is supported");
                string replacement = step.TryGetProperty("replacement", out var rep) && rep.ValueKind == JsonValueKind.String ? rep.GetString()! : SpaceSymbol;
                if (replacement != SpaceSymbol)
                    throw new TokenizerFormatException(source, $"{path}: Metaspace replacement \"{replacement}\" is not supported (only \"▁\")");
                steps.AddPrefix = ReadPrependScheme(step, source, path);
                break;
            default:
                throw new TokenizerFormatException(source,
                    $"{path}: pre-tokenizer \"{type}\" is not supported (supported: Metaspace, WhitespaceSplit, Sequence)");
        }
    }

    private static bool ReadPrependScheme(JsonElement step, string source, string path)
    {
        if (step.TryGetProperty("prepend_scheme", out var scheme) && scheme.ValueKind == JsonValueKind.String)
        {
            // Special tokens are not split out of the text, so "first" and "always" act alike here.
            return scheme.GetString() switch
            {
                "always" or "first" => true,
                "never" => false,
                var other => throw new TokenizerFormatException(source, $"{path}: prepend_scheme \"{other}\" is not one of always/first/never"),
            };
        }
        return !step.TryGetProperty("add_prefix_space", out var add) || Flag(step, "add_prefix_space", source, path);
    }

    private static bool Flag(JsonElement step, string name, string source, string path)
    {
        if (!step.TryGetProperty(name, out var value)) return false;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new TokenizerFormatException(source, $"{path}.{name} must be true or false"),
        };
    }

    private static string TypeOf(JsonElement step, string source, string path)
    {
        if (step.ValueKind != JsonValueKind.Object || !step.TryGetProperty("type", out var t) || t.ValueKind != JsonValueKind.String)
            throw new TokenizerFormatException(source, $"{path} must be an object with a string \"type\"");
        return t.GetString()!;
    }
}
