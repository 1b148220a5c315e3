namespace MusicGen.Assistant.Audio.Tests;

/// <summary>Deterministic test signals.</summary>
public static class Signals
{
    public static float[] Sine(double frequency, int sampleRate, int length, double amplitude = 0.5, double phase = 0)
    {
        var x = new float[length];
        for (int i = 0; i < length; i++)
            x[i] = (float)(amplitude * Math.Sin(2 * Math.PI * frequency * i / sampleRate + phase));
        return x;
    }

    /// <summary>Uniform noise in [-amplitude, amplitude) from a fixed seed.</summary>
    public static float[] Noise(int length, int seed, float amplitude = 0.9f)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++)
            x[i] = (float)((random.NextDouble() * 2 - 1) * amplitude);
        return x;
    }

    public static AudioBuffer NoiseBuffer(int sampleRate, int channels, int frames, int seed)
    {
        var data = new float[channels][];
        for (int c = 0; c < channels; c++)
            data[c] = Noise(frames, seed + c);
        return new AudioBuffer(sampleRate, data);
    }
}
