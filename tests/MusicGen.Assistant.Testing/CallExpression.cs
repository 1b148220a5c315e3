namespace MusicGen.Assistant.Testing;

/// <summary>
/// Evaluates the Python expressions recorded in vectors.json ("call") for the forms the reference used: names of other
/// vectors, indexing and slicing, <c>.transpose(a, b)</c>, attribute access, <c>torch.cat([..], dim=k)</c> and model
/// calls, which a test supplies by their dotted name. Text after the expression in parentheses is a comment and is
/// ignored. Anything else fails, naming the vector, so an unhandled vector can never pass silently.
/// </summary>
public sealed class CallExpression
{
    private readonly string _text;
    private readonly Func<string, NDArray> _vector;
    private readonly Func<string, IReadOnlyList<NDArray>, NDArray> _call;
    private int _pos;

    private CallExpression(string text, Func<string, NDArray> vector, Func<string, IReadOnlyList<NDArray>, NDArray> call)
    {
        _text = text;
        _vector = vector;
        _call = call;
    }

    /// <param name="call">Receives the dotted function name (e.g. <c>model.audio_encoder.encode</c>) and its array
    /// arguments; attribute access on the result (<c>.audio_codes</c>) is appended to the name as <c>name=&gt;attr</c>.</param>
    public static NDArray Evaluate(string text, Func<string, NDArray> vector, Func<string, IReadOnlyList<NDArray>, NDArray> call)
    {
        var e = new CallExpression(text, vector, call);
        var result = e.Expression();
        e.Skip();
        if (e._pos < text.Length && text[e._pos] != '(')
            throw new NotSupportedException($"unexpected text at {e._pos}: '{text[e._pos..]}'");
        return result;
    }

    private NDArray Expression()
    {
        Skip();
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
            while (!Peek(')'))
            {
                if (Peek('[')) { SkipNoneList(); }
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
            value = _call(name, args);
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
                value = value.Index(items);
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

    private object IndexItem()
    {
        Skip();
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
