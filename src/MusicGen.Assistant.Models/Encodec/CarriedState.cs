using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models.Encodec;

/// <summary>The LSTM's (h, c) per layer kept on the host between chunks; zeros before the first chunk.</summary>
internal sealed class CarriedState
{
    private float[][] _h = [], _c = [];
    private Tensor[] _hIn = [], _cIn = [];
    private LstmState? _out;

    public Tensor? Anchor { get; private set; }

    public LstmState Inputs(GgmlContext ctx, LstmSpec spec)
    {
        if (_h.Length != spec.Layers)
        {
            _h = Enumerable.Range(0, spec.Layers).Select(_ => new float[spec.Width]).ToArray();
            _c = Enumerable.Range(0, spec.Layers).Select(_ => new float[spec.Width]).ToArray();
        }
        _hIn = Enumerable.Range(0, spec.Layers).Select(l => ctx.NewInput($"lstm.h0.{l}", GgmlType.F32, spec.Width)).ToArray();
        _cIn = Enumerable.Range(0, spec.Layers).Select(l => ctx.NewInput($"lstm.c0.{l}", GgmlType.F32, spec.Width)).ToArray();
        return new LstmState(_hIn, _cIn);
    }

    /// <summary>Marks the state tensors the graph must keep so they can be read back after compute.</summary>
    public void Expect(GgmlContext ctx, LstmState state, bool last)
    {
        _out = last ? null : state;
        if (_out is null) return;
        foreach (var t in _out.Hidden.Concat(_out.Cell)) ctx.MarkOutput(t);
    }

    /// <summary>Extra graph roots: the state tensors (they are not ancestors of the chunk's output).</summary>
    public IEnumerable<Tensor> Roots => _out is null ? [] : _out.Hidden.Concat(_out.Cell);

    public void Upload()
    {
        for (var l = 0; l < _hIn.Length; l++) { _hIn[l].SetData<float>(_h[l]); _cIn[l].SetData<float>(_c[l]); }
    }

    public void Download()
    {
        if (_out is null) return;
        for (var l = 0; l < _h.Length; l++) { _out.Hidden[l].GetData<float>(_h[l]); _out.Cell[l].GetData<float>(_c[l]); }
    }
}
