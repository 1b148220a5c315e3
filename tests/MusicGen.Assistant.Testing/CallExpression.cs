namespace MusicGen.Assistant.Testing;

/// <summary>
/// Evaluates the Python expressions recorded in vectors.json ("call") for the forms the reference used: names of other
/// vectors, number literals, indexing and slicing (with <c>...</c> and <c>None</c>), <c>.transpose(a, b)</c>, attribute
/// access, <c>torch.cat([..], dim=k)</c>, elementwise <c>* / + -</c> with NumPy broadcasting, and model calls (positional
/// and keyword arguments), which a test supplies by their dotted name. Text after the expression in parentheses is a
/// comment and is ignored. Anything else fails, naming the vector, so an unhandled vector can never pass silently.
/// </summary>
public sealed class CallExpression
{
    private readonly string _text;
    private readonly Func<string, NDArray> _vector;
    private readonly Func<string, CallArguments, NDArray> _call;
    private int _pos;

    private CallExpression(string text, Func<string, NDArray> vector, Func<string, CallArguments, NDArray> call)
    {
        _text = text;
        _vector = vector;
        _call = call;
    }

    /// <param name="call">Receives the dotted function name (e.g. <c>model.audio_encoder.encode</c>) and its array
    /// arguments; attribute access on the result (<c>.audio_codes</c>) is appended to the name as <c>name=&gt;attr</c>.
    /// Calls with keyword arguments need <see cref="EvaluateWithArguments"/>.</param>
    public static NDArray Evaluate(string text, Func<string, NDArray> vector, Func<string, IReadOnlyList<NDArray>, NDArray> call) =>
        EvaluateWithArguments(text, vector, (name, args) => args.Keywords.Count == 0 ? call(name, args.Positional)
            : throw new NotSupportedException($"'{name}' is called with keyword arguments ({string.Join(", ", args.Keywords.Keys)}); use EvaluateWithArguments"));

    /// <param name="call">Receives the dotted function name and its positional and keyword arguments (numbers arrive as
    /// 0-d arrays); attribute access on the result is appended to the name as <c>name=&gt;attr</c>.</param>
    public static NDArray EvaluateWithArguments(string text, Func<string, NDArray> vector, Func<string, CallArguments, NDArray> call)
    {
        var e = new CallExpression(text, vector, call);
        var result = e.Expression();
        e.Skip();
        if (e._pos < text.Length && text[e._pos] != '(')
            throw new NotSupportedException($"unexpected text at {e._pos}: '{text[e._pos..]}'");
        return result;
    }

    // sum := product (('+' | '-') product)* ; product := operand (('*' | '/') operand)*
    private NDArray Expression()
    {
        var value = Product();
        while (Peek('+') || Peek('-'))
        {
            var op = _text[_pos++];
            var right = Product();
            value = NDArray.Elementwise(value, right, op == '+' ? (a, b) => a + b : (a, b) => a - b);
        }
        return value;
    }

    private NDArray Product()
    {
        var value = Operand();
        while (Peek('*') || Peek('/'))
        {
            var op = _text[_pos++];
            var right = Operand();
            value = NDArray.Elementwise(value, right, op == '*' ? (a, b) => a * b : (a, b) => a / b);
        }
        return value;
    }

    private NDArray Operand()
    {
        Skip();
        if (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '-' && _pos + 1 < _text.Length && char.IsDigit(_text[_pos + 1])))
            return new NDArray([], [Number()]);
        var name = Name();
        NDArray value;
        if (name == "torch.cat")
        {
            Expect('('); Expect('[');
            var parts = new List<NDArray> { Expression() };
            while (TryTake(',')) parts.Add(Expression());
            Expect(']'); Expect(',');
            var dimName = Name();
            if (dimName != "dim") throw new NotSupportedException("torch.cat expects dim=");
            Expect('=');
            var dim = (int)Integer();
            Expect(')');
            value = NDArray.Concat(parts, dim);
        }
        else if (Peek('('))
        {
            Expect('(');
            var args = new List<NDArray>();
            var keywords = new Dictionary<string, NDArray>();
            while (!Peek(')'))
            {
                if (Peek('[')) { SkipNoneList(); }
                else if (KeywordAhead() is { } keyword)
                {
                    if (!keywords.TryAdd(keyword, Expression())) throw new NotSupportedException($"keyword argument '{keyword}' given twice");
                }
                else if (keywords.Count > 0) throw new NotSupportedException($"positional argument after keyword arguments at {_pos}");
                else args.Add(Expression());
                TryTake(',');
            }
            Expect(')');
            // attribute of a call result, e.g. .audio_codes: hand over as one name
            if (Peek('.') && !PeekMethod("transpose"))
            {
                Expect('.');
                name += "=>" + Name();
            }
            value = _call(name, new CallArguments(args, keywords));
        }
        else value = _vector(name);
        return Postfix(value);
    }

    private NDArray Postfix(NDArray value)
    {
        while (true)
        {
            Skip();
            if (Peek('['))
            {
                Expect('[');
                var items = new List<object>();
                do items.Add(IndexItem()); while (TryTake(','));
                Expect(']');
                value = Index(value, items);
            }
            else if (PeekMethod("transpose"))
            {
                Expect('.'); Name(); Expect('(');
                var a = (int)Integer(); Expect(','); var b = (int)Integer();
                Expect(')');
                value = value.Transpose(a, b);
            }
            else return value;
        }
    }

    private static readonly object Ellipsis = new();
    private static readonly object NewAxis = new();

    // Expands '...' to full slices, indexes, then inserts the size-1 axes of 'None' where they stood.
    private static NDArray Index(NDArray value, List<object> items)
    {
        if (items.Count(i => i == Ellipsis) > 1) throw new NotSupportedException("more than one '...' in an index");
        var explicitDims = items.Count(i => i is long or PySlice);
        if (explicitDims > value.Rank) throw new NotSupportedException($"{explicitDims} indices for a {value.Rank}-d array");
        var expanded = new List<object>();
        foreach (var item in items)
            if (item == Ellipsis) expanded.AddRange(Enumerable.Repeat<object>(new PySlice(null, null, null), value.Rank - explicitDims));
            else expanded.Add(item);
        var indexed = value.Index(expanded.Where(i => i != NewAxis).ToList());
        if (!expanded.Contains(NewAxis)) return indexed;
        var shape = new List<long>();
        var next = 0;
        foreach (var item in expanded)
            if (item == NewAxis) shape.Add(1);
            else if (item is PySlice) shape.Add(indexed.Shape[next++]);
        shape.AddRange(indexed.Shape.Skip(next));
        return new NDArray(shape.ToArray(), indexed.Data);
    }

    private object IndexItem()
    {
        Skip();
        if (string.CompareOrdinal(_text, _pos, "...", 0, 3) == 0) { _pos += 3; return Ellipsis; }
        if (string.CompareOrdinal(_text, _pos, "None", 0, 4) == 0) { _pos += 4; return NewAxis; }
        long? start = Peek(':') ? null : Integer();
        if (!Peek(':')) return start!.Value;
        Expect(':');
        long? stop = Peek(':') || Peek(',') || Peek(']') ? null : Integer();
        long? step = null;
        if (TryTake(':')) step = Peek(',') || Peek(']') ? null : Integer();
        return new PySlice(start, stop, step);
    }

    private void SkipNoneList()
    {
        Expect('[');
        while (!Peek(']')) _pos++;
        Expect(']');
    }

    private string Name()
    {
        Skip();
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '.'))
        {
            if (_text[_pos] == '.' && PeekMethodAt(_pos, "transpose")) break;
            _pos++;
        }
        if (_pos == start) throw new NotSupportedException($"expected a name at {start}: '{_text[start..]}'");
        return _text[start.._pos].TrimEnd('.');
    }

    private double Number()
    {
        Skip();
        var start = _pos;
        if (_text[_pos] == '-') _pos++;
        while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || _text[_pos] == '.' ||
                                       _text[_pos] is 'e' or 'E' || _text[_pos] is '+' or '-' && _text[_pos - 1] is 'e' or 'E'))
            _pos++;
        return double.Parse(_text.AsSpan(start, _pos - start), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>When the text ahead is <c>name=</c> (not <c>==</c>), consumes it and returns the name.</summary>
    private string? KeywordAhead()
    {
        Skip();
        var end = _pos;
        while (end < _text.Length && (char.IsLetterOrDigit(_text[end]) || _text[end] == '_')) end++;
        var eq = end;
        while (eq < _text.Length && _text[eq] == ' ') eq++;
        if (end == _pos || char.IsDigit(_text[_pos]) || eq >= _text.Length || _text[eq] != '=' || eq + 1 < _text.Length && _text[eq + 1] == '=')
            return null;
        var name = _text[_pos..end];
        _pos = eq + 1;
        return name;
    }

    private long Integer()
    {
        Skip();
        var start = _pos;
        if (_pos < _text.Length && _text[_pos] == '-') _pos++;
        while (_pos < _text.Length && char.IsDigit(_text[_pos])) _pos++;
        return long.Parse(_text[start.._pos]);
    }

    private void Skip() { while (_pos < _text.Length && _text[_pos] == ' ') _pos++; }
    private bool Peek(char c) { Skip(); return _pos < _text.Length && _text[_pos] == c; }
    private bool PeekMethod(string m) { Skip(); return PeekMethodAt(_pos, m); }
    private bool PeekMethodAt(int at, string m) => string.CompareOrdinal(_text, at, "." + m + "(", 0, m.Length + 2) == 0;
    private bool TryTake(char c) { if (!Peek(c)) return false; _pos++; return true; }

    private void Expect(char c)
    {
        if (!TryTake(c)) throw new NotSupportedException($"expected '{c}' at {_pos}: '{_text[Math.Min(_pos, _text.Length)..]}'");
    }
}
