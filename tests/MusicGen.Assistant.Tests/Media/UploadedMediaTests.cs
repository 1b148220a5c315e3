using MusicGen.Assistant.Audio;
using MusicGen.Assistant.Audio.Wav;
using MusicGen.Assistant.Conversations;
using MusicGen.Assistant.Errors;
using MusicGen.Assistant.Media;
using MusicGen.Assistant.Tests.Helpers;

namespace MusicGen.Assistant.Tests.Media;

/// <summary>Uploads are checked by their bytes (signature) and by ffprobe against the kind they claim.</summary>
public sealed class UploadedMediaTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir.Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Theory]
    [InlineData(new byte[] { 0x52, 0x49, 0x46, 0x46, 0, 0, 0, 0, 0x57, 0x41, 0x56, 0x45 }, MediaContainer.Wav)]
    [InlineData(new byte[] { 0x66, 0x4C, 0x61, 0x43 }, MediaContainer.Flac)]
    [InlineData(new byte[] { 0x49, 0x44, 0x33, 4 }, MediaContainer.Mp3)]
    [InlineData(new byte[] { 0xFF, 0xFB, 0x90 }, MediaContainer.Mp3)]
    [InlineData(new byte[] { 0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70 }, MediaContainer.Mp4)]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, MediaContainer.Png)]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, MediaContainer.Jpeg)]
    [InlineData(new byte[] { 0x1A, 0x45, 0xDF, 0xA3 }, MediaContainer.Matroska)]
    public void Containers_are_recognised_by_their_first_bytes(byte[] head, MediaContainer expected) =>
        Assert.Equal(expected, MediaSignatures.Detect(head));

    [Fact]
    public void Text_and_empty_heads_are_no_container_and_kinds_fit_their_containers()
    {
        Assert.Null(MediaSignatures.Detect("hello world"u8));
        Assert.Null(MediaSignatures.Detect([]));
        Assert.True(MediaSignatures.Fits(MediaContainer.Mp4, AttachmentKind.Audio));
        Assert.True(MediaSignatures.Fits(MediaContainer.Mp4, AttachmentKind.Video));
        Assert.False(MediaSignatures.Fits(MediaContainer.Png, AttachmentKind.Audio));
        Assert.False(MediaSignatures.Fits(MediaContainer.Wav, AttachmentKind.Image));
    }

    [Fact]
    public void A_real_wav_passes_and_files_that_are_not_what_they_claim_are_refused_by_name()
    {
        var wav = Path.Combine(_dir.Path, "tone.wav");
        var samples = Enumerable.Range(0, 16000).Select(i => 0.2f * MathF.Sin(i * 0.05f)).ToArray();
        WavWriter.Write(wav, new AudioBuffer(16000, [samples]), WavSampleFormat.Pcm16);
        var info = UploadedMedia.Verify(wav, AttachmentKind.Audio, "tone.wav");
        Assert.Equal(1.0, info.Duration!.Value.TotalSeconds, 2);

        var text = Write("song.wav", "not audio at all, just text"u8.ToArray());
        Assert.Contains("not a known audio", Assert.Throws<AssistantException>(() => UploadedMedia.Verify(text, AttachmentKind.Audio, "song.wav")).Message);
        Assert.Contains("WAV audio file", Assert.Throws<AssistantException>(() => UploadedMedia.Verify(wav, AttachmentKind.Image, "pic.png")).Message);
        var cut = Write("cut.wav", File.ReadAllBytes(wav)[..20]);
        var e = Assert.Throws<AssistantException>(() => UploadedMedia.Verify(cut, AttachmentKind.Audio, "cut.wav"));
        Assert.Equal(AssistantErrorKind.BadInput, e.Kind);
        Assert.Contains("cut.wav", e.Message);
        Assert.Contains("empty", Assert.Throws<AssistantException>(() => UploadedMedia.Verify(Write("e.wav", []), AttachmentKind.Audio, "e.wav")).Message);
    }
}
