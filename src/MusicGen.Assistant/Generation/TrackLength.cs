using MusicGen.Assistant.Errors;

namespace MusicGen.Assistant.Generation;

/// <summary>
/// How a length in seconds becomes codec frames, the one unit everything is generated in: rounded down to whole frames
/// (audiocraft's int(seconds · frame rate)), so a result is never longer than asked and at most one frame (20 ms at
/// 50 Hz) shorter. A tolerance of a millionth of a frame keeps a length written as a whole number of frames whole
/// (0.58 s · 50 Hz is 28.999999999999996 in binary). The shortest length is one frame; less is refused, saying so.
/// </summary>
public static class TrackLength
{
    private const double Tolerance = 1e-6;

    /// <param name="what">How the message names the length: "the duration", "--seconds".</param>
    public static int Frames(double seconds, double frameRate, string what = "the duration")
    {
        if (!(seconds > 0 && double.IsFinite(seconds)))
            throw AssistantException.InvalidRequest($"{what} must be a positive number of seconds; got {Units.Number(seconds)}");
        var frames = Math.Floor(seconds * frameRate + Tolerance);
        if (frames < 1)
            throw AssistantException.InvalidRequest($"{what} of {Units.Number(seconds)} s is shorter than one codec frame: the minimum is " +
                                                    $"{Units.Number(1 / frameRate)} s (1 frame at {Units.Number(frameRate)} Hz; lengths are rounded down to whole frames)");
        return frames >= int.MaxValue ? int.MaxValue : (int)frames;
    }

    /// <summary>The seconds <paramref name="frames"/> frames last.</summary>
    public static double Seconds(int frames, double frameRate) => frames / frameRate;
}
