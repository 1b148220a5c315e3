using System.Numerics;
using MathNet.Numerics.IntegralTransforms;

namespace MusicGen.Assistant.Audio.Chroma;

/// <summary>
/// The short-time power spectrum MusicGen-Melody's chroma is computed from: torchaudio
/// <c>Spectrogram(n_fft, win_length=n_fft, hop_length, power=2, center=True, pad_mode="reflect", normalized=True)</c>
/// with a periodic Hann window, preceded (as in audiocraft and HF) by zero-padding a signal shorter than n_fft
/// symmetrically up to n_fft (the odd sample goes to the end).
/// <para>Frame t is the window centred on sample t · hop of the (padded) signal; the ends are mirrored without repeating
/// the edge sample. |X|² is divided by Σ window², which is what <c>normalized=True</c> does to the complex frame.</para>
/// <para>Immutable and thread-safe; the per-signal work happens in <see cref="Frames"/>, which owns its scratch buffer.
/// MathNet's managed FFT splits transforms of 1024 points or more over <c>MathNet.Numerics.Control.MaxDegreeOfParallelism</c>
/// threads; that global setting is left to the host (1 keeps the chroma on the calling thread).</para>
/// </summary>
public sealed class PowerSpectrogram
{
    private readonly double[] _window;
    private readonly double _inverseWindowEnergy;

    public PowerSpectrogram(int nFft, int hopLength)
    {
        if (nFft < 2 || nFft % 2 != 0)
            throw new ArgumentOutOfRangeException(nameof(nFft), nFft, "The FFT size must be even and at least 2.");
        if (hopLength <= 0 || hopLength > nFft)
            throw new ArgumentOutOfRangeException(nameof(hopLength), hopLength, $"The hop must be 1..n_fft ({nFft}).");
        NFft = nFft;
        HopLength = hopLength;
        _window = new double[nFft];
        double energy = 0;
        for (int i = 0; i < nFft; i++)
        {
            double w = 0.5 - 0.5 * Math.Cos(2 * Math.PI * i / nFft); // periodic: period n_fft, not n_fft - 1
            _window[i] = w;
            energy += w * w;
        }
        _inverseWindowEnergy = 1.0 / energy;
    }

    public int NFft { get; }

    public int HopLength { get; }

    /// <summary>n_fft / 2 + 1.</summary>
    public int FrequencyBins => NFft / 2 + 1;

    /// <summary>Frames for a signal of this many samples: 1 + max(length, n_fft) / hop (integer division).</summary>
    public int FrameCount(int length)
    {
        if (length <= 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "A spectrogram needs at least one sample.");
        return 1 + Math.Max(length, NFft) / HopLength;
    }

    /// <summary>Starts computing the frames of one signal (the span is read, never copied).</summary>
    public Frames Open(ReadOnlySpan<float> signal) => new(this, signal);

    /// <summary>The frames of one signal, computed on demand, one at a time.</summary>
    public ref struct Frames
    {
        private readonly PowerSpectrogram _owner;
        private readonly ReadOnlySpan<float> _signal;
        private readonly int _padded, _offset; // length after centring zero-pad; where the signal starts in it
        private readonly Complex[] _fft; // reused for every frame (MathNet's ForwardReal would allocate one per call)

        internal Frames(PowerSpectrogram owner, ReadOnlySpan<float> signal)
        {
            _owner = owner;
            _signal = signal;
            Count = owner.FrameCount(signal.Length);
            _padded = Math.Max(signal.Length, owner.NFft);
            _offset = (_padded - signal.Length) / 2;
            _fft = new Complex[owner.NFft];
        }

        /// <summary>Number of frames.</summary>
        public int Count { get; }

        /// <summary>Writes frame <paramref name="frame"/>'s n_fft/2 + 1 power values.</summary>
        public void Compute(int frame, Span<float> power)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(frame);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frame, Count);
            int nFft = _owner.NFft;
            if (power.Length != _owner.FrequencyBins)
                throw new ArgumentException($"The output holds {power.Length} bins, expected {_owner.FrequencyBins}.", nameof(power));

            double[] window = _owner._window;
            int start = frame * _owner.HopLength - nFft / 2; // index of the frame's first sample in the padded signal
            if (_offset == 0 && start >= 0 && start + nFft <= _padded)
            {
                ReadOnlySpan<float> slice = _signal.Slice(start, nFft);
                for (int i = 0; i < nFft; i++)
                    _fft[i] = new Complex(slice[i] * window[i], 0);
            }
            else
            {
                for (int i = 0; i < nFft; i++)
                    _fft[i] = new Complex(SampleAt(start + i) * window[i], 0);
            }

            Fourier.Forward(_fft, FourierOptions.NoScaling);
            double scale = _owner._inverseWindowEnergy;
            for (int k = 0; k < power.Length; k++)
            {
                double re = _fft[k].Real, im = _fft[k].Imaginary;
                power[k] = (float)((re * re + im * im) * scale);
            }
        }

        // The zero-padded signal at index q, mirrored at both ends (reflect: x[-q] = x[q], no repeated edge).
        private readonly float SampleAt(int q)
        {
            if (q < 0)
                q = -q;
            else if (q >= _padded)
                q = 2 * (_padded - 1) - q;
            int i = q - _offset;
            return (uint)i < (uint)_signal.Length ? _signal[i] : 0f;
        }
    }
}
