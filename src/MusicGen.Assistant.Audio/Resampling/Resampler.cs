namespace MusicGen.Assistant.Audio.Resampling;

/// <summary>
/// Streaming band-limited resampler for one channel between any two integer rates (polyphase Kaiser-windowed sinc,
/// see <see cref="PolyphaseFilterBank"/>).
/// <para>Timing: output sample n is the signal at input time n · in/out exactly — no delay, the filter is centred.
/// The signal is taken as zero before the first and after the last input sample.</para>
/// <para>Length: after <see cref="Flush(Span{float})"/>, the total output is round(inputLength · out / in) with halves
/// rounded up, the same however the input was split into <see cref="Process(ReadOnlySpan{float}, Span{float})"/>
/// calls; the samples are bit-identical too.</para>
/// <para>Equal rates: samples are copied unchanged.</para>
/// </summary>
public sealed class Resampler
{
    /// <summary>Input samples buffered per step beyond the filter window.</summary>
    private const int ChunkSize = 1 << 15;

    private readonly PolyphaseFilterBank? _bank;
    private readonly float[] _buffer = [];
    private readonly int _stepWhole, _stepFraction;

    private long _bufferStart; // absolute input index of _buffer[0] (negative for the leading zeros)
    private int _bufferLength;
    private long _intPosition; // floor(OutputCount · M / L)
    private int _phase;        // OutputCount · M mod L
    private bool _flushed;

    public Resampler(int inputRate, int outputRate, ResamplerQuality? quality = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        InputRate = inputRate;
        OutputRate = outputRate;
        Quality = quality ?? ResamplerQuality.Standard;
        if (inputRate != outputRate)
        {
            _bank = PolyphaseFilterBank.Get(inputRate, outputRate, Quality);
            _buffer = new float[_bank.Taps + _bank.Down + ChunkSize];
            _stepWhole = _bank.Down / _bank.Up;
            _stepFraction = _bank.Down % _bank.Up;
        }
        Reset();
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    public ResamplerQuality Quality { get; }

    /// <summary>Input samples each output sample is computed from (0 for equal rates).</summary>
    public int FilterLength => _bank?.Taps ?? 0;

    /// <summary>Input samples received since construction or <see cref="Reset"/>.</summary>
    public long InputCount { get; private set; }

    /// <summary>Output samples produced since construction or <see cref="Reset"/>.</summary>
    public long OutputCount { get; private set; }

    /// <summary>round(inputLength · outputRate / inputRate), halves up: the one-shot output length.</summary>
    public static long OutputLength(long inputLength, int inputRate, int outputRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputRate);
        return (long)(((Int128)inputLength * outputRate * 2 + inputRate) / ((Int128)inputRate * 2));
    }

    /// <summary>Resamples every channel of a buffer in one go (a copy when the rate already matches).</summary>
    public static AudioBuffer Resample(AudioBuffer buffer, int targetRate, ResamplerQuality? quality = null)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(targetRate);
        var channels = new float[buffer.ChannelCount][];
        for (int c = 0; c < channels.Length; c++)
            channels[c] = Resample(buffer.Channels[c], buffer.SampleRate, targetRate, quality);
        return new AudioBuffer(targetRate, channels);
    }

    /// <summary>Resamples one channel in one go.</summary>
    public static float[] Resample(ReadOnlySpan<float> input, int inputRate, int outputRate, ResamplerQuality? quality = null)
    {
        long length = OutputLength(input.Length, inputRate, outputRate);
        if (length > Array.MaxLength)
            throw new ArgumentException($"{length} output samples do not fit one array; resample in blocks with a Resampler.");
        var output = new float[length];
        var resampler = new Resampler(inputRate, outputRate, quality);
        int written = resampler.Process(input, output);
        written += resampler.Flush(output.AsSpan(written));
        if (written != length)
            throw new InvalidOperationException($"Resampler produced {written} samples, expected {length}.");
        return output;
    }

    /// <summary>Exactly how many samples <see cref="Process(ReadOnlySpan{float}, Span{float})"/> returns for this many inputs now.</summary>
    public int GetOutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        if (_bank is null)
            return inputLength;
        // Output n is ready once input index floor(n·M/L) + H is in hand, i.e. n·M < (received - H)·L.
        Int128 ready = (Int128)(InputCount + inputLength - _bank.HalfTaps) * _bank.Up;
        long count = ready <= 0 ? 0 : (long)((ready + _bank.Down - 1) / _bank.Down);
        return (int)Math.Min(int.MaxValue, Math.Max(0, count - OutputCount));
    }

    /// <summary>How many samples <see cref="Flush(Span{float})"/> would return now.</summary>
    public int PendingFlushLength =>
        _flushed ? 0 : (int)(OutputLength(InputCount, InputRate, OutputRate) - OutputCount);

    /// <summary>
    /// Feeds input and writes every output sample that input completes; returns how many were written.
    /// <paramref name="output"/> must hold <see cref="GetOutputLength"/>(input.Length) samples.
    /// </summary>
    public int Process(ReadOnlySpan<float> input, Span<float> output)
    {
        if (_flushed)
            throw new InvalidOperationException("The resampler was flushed; call Reset() before feeding a new signal.");
        int expected = GetOutputLength(input.Length);
        if (output.Length < expected)
            throw new ArgumentException(
                $"Output holds {output.Length} samples but {input.Length} inputs complete {expected}; size it with GetOutputLength.",
                nameof(output));
        if (_bank is null)
        {
            input.CopyTo(output);
            InputCount += input.Length;
            OutputCount += input.Length;
            return input.Length;
        }
        int written = 0;
        while (!input.IsEmpty)
        {
            int n = Math.Min(input.Length, _buffer.Length - _bufferLength);
            input[..n].CopyTo(_buffer.AsSpan(_bufferLength));
            _bufferLength += n;
            InputCount += n;
            input = input[n..];
            written += Produce(output[written..], long.MaxValue);
        }
        return written;
    }

    /// <summary>Feeds input and returns the completed output samples as a new array.</summary>
    public float[] Process(ReadOnlySpan<float> input)
    {
        var output = new float[GetOutputLength(input.Length)];
        int written = Process(input, output);
        return written == output.Length ? output : output[..written];
    }

    /// <summary>
    /// Ends the signal: writes the remaining <see cref="PendingFlushLength"/> samples (computed as if zeros followed).
    /// Call <see cref="Reset"/> to start a new signal.
    /// </summary>
    public int Flush(Span<float> output)
    {
        int pending = PendingFlushLength;
        if (output.Length < pending)
            throw new ArgumentException($"Output holds {output.Length} samples; flushing produces {pending}.", nameof(output));
        _flushed = true;
        if (_bank is null || pending == 0)
            return 0;
        long target = OutputCount + pending;
        int written = 0;
        while (OutputCount < target)
        {
            int zeros = _buffer.Length - _bufferLength;
            _buffer.AsSpan(_bufferLength, zeros).Clear();
            _bufferLength += zeros;
            written += Produce(output[written..], target);
        }
        return written;
    }

    public float[] Flush()
    {
        var output = new float[PendingFlushLength];
        Flush(output);
        return output;
    }

    /// <summary>Forgets all input, ready for a new signal.</summary>
    public void Reset()
    {
        InputCount = 0;
        OutputCount = 0;
        _intPosition = 0;
        _phase = 0;
        _flushed = false;
        // Leading zeros stand for the silence before the signal, so the first windows need no special case.
        int lead = _bank is null ? 0 : _bank.HalfTaps - 1;
        Array.Clear(_buffer);
        _bufferStart = -lead;
        _bufferLength = lead;
    }

    /// <summary>Computes ready outputs (up to <paramref name="limit"/> total) and drops input no longer needed.</summary>
    private int Produce(Span<float> output, long limit)
    {
        PolyphaseFilterBank bank = _bank!;
        int taps = bank.Taps, half = bank.HalfTaps, up = bank.Up;
        int stepWhole = _stepWhole, stepFraction = _stepFraction;
        // Locals, not fields, in the hot loop: the JIT keeps them in registers across the dot-product call.
        long position = _intPosition, produced = OutputCount;
        int phase = _phase;
        long lastAvailable = _bufferStart + _bufferLength - 1;
        long windowOffset = 1 - half - _bufferStart;
        ReadOnlySpan<float> buffer = _buffer;
        int written = 0;
        while (produced < limit && position + half <= lastAvailable)
        {
            output[written++] = bank.Apply(buffer.Slice((int)(position + windowOffset), taps), phase);
            produced++;
            position += stepWhole;
            phase += stepFraction;
            if (phase >= up)
            {
                phase -= up;
                position++;
            }
        }
        _intPosition = position;
        _phase = phase;
        OutputCount = produced;
        long drop = Math.Min(_intPosition - half + 1 - _bufferStart, _bufferLength);
        if (drop > 0)
        {
            _buffer.AsSpan((int)drop, _bufferLength - (int)drop).CopyTo(_buffer);
            _bufferStart += drop;
            _bufferLength -= (int)drop;
        }
        return written;
    }
}
