namespace MusicGen.Assistant.Models.MusicGenLm;

/// <summary>Passes frame blocks (one array per codebook row) on to a sink after dropping the first <c>skip</c> frames.</summary>
internal sealed class FrameSkipper(Action<int[][]> sink, int skip)
{
    private int _toSkip = skip;

    public void Push(int[][] frames)
    {
        var n = frames[0].Length;
        if (_toSkip >= n)
        {
            _toSkip -= n;
            return;
        }
        if (_toSkip > 0)
        {
            var from = _toSkip;
            frames = frames.Select(row => row[from..]).ToArray();
            _toSkip = 0;
        }
        sink(frames);
    }
}
