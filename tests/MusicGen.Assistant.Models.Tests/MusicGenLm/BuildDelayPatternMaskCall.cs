using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using MusicGen.Assistant.Models.MusicGenLm;
using MusicGen.Assistant.Testing;

namespace MusicGen.Assistant.Models.Tests.MusicGenLm;

/// <summary>
/// Reads a fixture call of the form <c>model.decoder.build_delay_pattern_mask(ARG, pad_token_id=N, max_length=E)[i]</c>
/// and evaluates it with <see cref="DelayPatternMask.Build"/>. ARG may be a vector name, <c>full((R, 1), V)</c>,
/// <c>X[0].reshape(R, -1)</c> or <c>cat([..], 1)</c> of those; R and E may use <c>bsz</c> (expected rows / K) and
/// <c>frames</c> (last dimension of the codes vector the call reshapes). Anything else fails, naming the text.
/// </summary>
internal sealed partial class BuildDelayPatternMaskCall
{
    [GeneratedRegex(@"^model\.decoder\.build_delay_pattern_mask\((?<arg>.+), pad_token_id=(?<pad>-?\d+), max_length=(?<len>[^)]+)\)\[(?<idx>[01])\]\s*(\(.*\))?$")]
    private static partial Regex CallPattern();

    private readonly ReferenceVector _vector;
    private readonly string _arg;
    private readonly int _bsz;
    private int? _frames;
    private int _pos;

    private BuildDelayPatternMaskCall(ReferenceVector vector, string arg, int bsz) => (_vector, _arg, _bsz) = (vector, arg, bsz);

    public static bool Handles(ReferenceVector v) => v.Call.Contains("build_delay_pattern_mask(", StringComparison.Ordinal);

    /// <summary>The decoder's codebook count and audio channels from the set's config.json.</summary>
    public static (int NumCodebooks, int AudioChannels) DecoderLayout(FixtureSet set)
    {
        var decoder = JsonNode.Parse(File.ReadAllText(set.ConfigPath))?["decoder"]
                      ?? throw new InvalidDataException($"{set.ConfigPath}: no 'decoder' section");
        return (decoder["num_codebooks"]!.GetValue<int>(), decoder["audio_channels"]?.GetValue<int>() ?? 1);
    }

    /// <summary>Evaluates the vector's call; returns the selected output of build_delay_pattern_mask.</summary>
    public static int[,] Evaluate(ReferenceVector vector)
    {
        var m = CallPattern().Match(vector.Call);
        if (!m.Success) throw new NotSupportedException($"{vector}: unrecognised build_delay_pattern_mask call '{vector.Call}'");
        var (k, channels) = DecoderLayout(vector.Set);
        var call = new BuildDelayPatternMaskCall(vector, m.Groups["arg"].Value, (int)vector.Shape[0] / k);
        var input = call.Argument();
        if (call._pos != call._arg.Length) throw call.Unexpected();
        var maxLength = call.Integer(m.Groups["len"].Value);
        var pad = int.Parse(m.Groups["pad"].Value, CultureInfo.InvariantCulture);
        var (ids, mask) = DelayPatternMask.Build(input, k, pad, maxLength, channels);
        return m.Groups["idx"].Value == "0" ? ids : mask;
    }

    private int[,] Argument()
    {
        Skip();
        if (TryTake("cat(["))
        {
            var parts = new List<int[,]> { Argument() };
            while (TryTake(",") && !Peek("]")) parts.Add(Argument());
            Expect("]"); Expect(","); Expect("1"); Expect(")");
            return ConcatColumns(parts);
        }
        if (TryTake("full(("))
        {
            var rows = Integer(Until(',')); Expect(",");
            var cols = Integer(Until(')')); Expect(")"); Expect(",");
            var value = Integer(Until(')')); Expect(")");
            var full = new int[rows, cols];
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < cols; c++) full[r, c] = value;
            return full;
        }
        var name = Name();
        var v = _vector.Set.Vector(name);
        if (!TryTake("[0].reshape(")) return Grids.Matrix(v);
        var reshapeRows = Integer(Until(',')); Expect(","); Expect("-1"); Expect(")");
        _frames = (int)v.Shape[^1];
        var values = v.Values();
        var perItem = values.Length / (int)v.Shape[0];
        if (perItem % reshapeRows != 0) throw new InvalidDataException($"{v}[0] ({perItem} values) cannot be reshaped to {reshapeRows} rows");
        return Grids.Matrix(values[..perItem], [reshapeRows, perItem / reshapeRows]);
    }

    // integer expressions: N, bsz*N, frames+N
    private int Integer(string text)
    {
        text = text.Trim();
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return n;
        var bsz = Regex.Match(text, @"^bsz\s*\*\s*(\d+)$");
        if (bsz.Success) return _bsz * int.Parse(bsz.Groups[1].Value, CultureInfo.InvariantCulture);
        var frames = Regex.Match(text, @"^frames\s*\+\s*(\d+)$");
        if (frames.Success)
            return (_frames ?? throw new NotSupportedException($"{_vector}: 'frames' used without a codes vector in '{_vector.Call}'"))
                   + int.Parse(frames.Groups[1].Value, CultureInfo.InvariantCulture);
        throw new NotSupportedException($"{_vector}: unsupported integer expression '{text}' in '{_vector.Call}'");
    }

    private static int[,] ConcatColumns(List<int[,]> parts)
    {
        var rows = parts[0].GetLength(0);
        if (parts.Any(p => p.GetLength(0) != rows)) throw new InvalidDataException("cat: parts differ in rows");
        var result = new int[rows, parts.Sum(p => p.GetLength(1))];
        var offset = 0;
        foreach (var p in parts)
        {
            for (var r = 0; r < rows; r++)
                for (var c = 0; c < p.GetLength(1); c++) result[r, offset + c] = p[r, c];
            offset += p.GetLength(1);
        }
        return result;
    }

    private string Name()
    {
        Skip();
        var start = _pos;
        while (_pos < _arg.Length && (char.IsLetterOrDigit(_arg[_pos]) || _arg[_pos] == '_')) _pos++;
        if (_pos == start) throw Unexpected();
        return _arg[start.._pos];
    }

    private string Until(char stop)
    {
        var start = _pos;
        while (_pos < _arg.Length && _arg[_pos] != stop) _pos++;
        return _arg[start.._pos];
    }

    private void Skip() { while (_pos < _arg.Length && _arg[_pos] == ' ') _pos++; }
    private bool Peek(string s) { Skip(); return string.CompareOrdinal(_arg, _pos, s, 0, s.Length) == 0; }
    private bool TryTake(string s) { if (!Peek(s)) return false; _pos += s.Length; return true; }
    private void Expect(string s) { if (!TryTake(s)) throw Unexpected(s); }

    private NotSupportedException Unexpected(string? expected = null) =>
        new($"{_vector}: {(expected is null ? "unexpected text" : $"expected '{expected}'")} at {_pos} of '{_arg}'");
}
