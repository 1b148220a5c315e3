using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Codec;
using MusicGen.Assistant.Compute;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Formats.Codes;
using MusicGen.Assistant.Native;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Codec;

/// <summary>Encode and decode jobs on one loaded codec: reuse, stages, and cancellation that leaves nothing behind.</summary>
public sealed class CodecJobTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly CodecModel _codec = CodecModel.Load(FixtureModels.TinyGguf, new ComputeOptions(BackendKind.Cpu, 1));

    public void Dispose()
    {
        _codec.Dispose();
        _dir.Dispose();
    }

    private string Wav(string name, int samples)
    {
        var rate = _codec.Config.SamplingRate;
        var signal = Enumerable.Range(0, samples).Select(i => (float)(0.3 * Math.Sin(2 * Math.PI * 440 * i / rate))).ToArray();
        WavWriter.Write(_dir.File(name), new AudioBuffer(rate, [signal]));
        return _dir.File(name);
    }

    [Fact]
    public void One_loaded_codec_encodes_and_decodes_many_files_reporting_each_stage()
    {
        var hop = _codec.Config.HopLength;
        foreach (var (name, frames) in new[] { ("a", 3), ("b", 7) })
        {
            var recorder = new ProgressRecorder();
            var encoded = EncodeJob.Create(Wav($"{name}.wav", frames * hop), _dir.File($"{name}.codes")).Run(_codec, recorder);
            Assert.Equal(frames, encoded.Codes.FrameCount);
            Assert.Equal(["read", "encode"], recorder.Reports.Where(r => r.Finished).Select(r => r.Stage));
            var decoded = DecodeJob.Create(_dir.File($"{name}.codes"), _dir.File($"{name}-back.wav")).Run(_codec);
            Assert.Equal(frames * hop, WavReader.Read(_dir.File($"{name}-back.wav")).FrameCount);
            Assert.Equal(AudioCodesFile.ReadHeader(_dir.File($"{name}.codes")).FrameCount, decoded.Codes.FrameCount);
        }
    }

    [Fact]
    public void A_cancelled_decode_leaves_no_file_and_a_bad_codes_file_is_a_typed_error()
    {
        EncodeJob.Create(Wav("a.wav", 20 * _codec.Config.HopLength), _dir.File("a.codes")).Run(_codec);
        using var cts = new CancellationTokenSource();
        var recorder = new ProgressRecorder(cts, "decode"); // cancels once the first chunk is decoded and written
        Assert.ThrowsAny<OperationCanceledException>(() => DecodeJob.Create(_dir.File("a.codes"), _dir.File("back.wav")).Run(_codec, recorder, cts.Token));
        Assert.NotEmpty(recorder.Reports);
        Assert.Equal(["a.codes", "a.wav"], _dir.FileNames());

        File.WriteAllText(_dir.File("bad.codes"), "not codes");
        var error = Assert.Throws<AssistantException>(() => DecodeJob.Create(_dir.File("bad.codes"), _dir.File("x.wav")));
        Assert.Equal(AssistantErrorKind.BadInput, error.Kind);
        Assert.Contains("bad.codes", error.Message);
    }
}
