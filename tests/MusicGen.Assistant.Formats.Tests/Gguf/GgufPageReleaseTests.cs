using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Formats.Tests.Gguf;

/// <summary>
/// Releasing a tensor's pages after a loader copied it (madvise DONTNEED on the read-only mapping) drops them from the
/// process's resident memory but never changes what the file reads as: the tensor and its neighbours read the same
/// bytes afterwards. A tensor of another file is refused.
/// </summary>
public class GgufPageReleaseTests
{
    [Fact]
    public void Released_tensor_pages_read_back_unchanged()
    {
        var dir = Directory.CreateTempSubdirectory("mga-gguf-pages-").FullName;
        var path = Path.Combine(dir, "pages.gguf");
        var rng = new Random(3);
        var sizes = new[] { 3 * 4096 + 100, 64 * 1024, 5 * 4096 }; // unaligned and page-spanning tensors side by side
        var data = sizes.Select(n => { var b = new byte[n * 4]; rng.NextBytes(b); return b; }).ToArray();
        using (var writer = new GgufWriter(path))
        {
            for (var i = 0; i < sizes.Length; i++) writer.AddTensor($"t{i}", GgmlType.F32, [sizes[i]]);
            writer.WriteHeader();
            for (var i = 0; i < sizes.Length; i++) writer.WriteTensorData($"t{i}", data[i]);
            writer.Finish();
        }
        using var file = GgufFile.Open(path);
        for (var i = 0; i < sizes.Length; i++) Assert.True(file.GetTensorBytes($"t{i}").SequenceEqual(data[i]));
        file.ReleaseTensorPages(file.GetTensor("t1"));
        file.ReleaseTensorPages(file.GetTensor("t0"));
        for (var i = 0; i < sizes.Length; i++) Assert.True(file.GetTensorBytes($"t{i}").SequenceEqual(data[i]), $"t{i} changed after releasing pages");

        using var other = GgufFile.Open(path);
        Assert.Throws<ArgumentException>(() => file.ReleaseTensorPages(other.GetTensor("t0")));
    }
}
