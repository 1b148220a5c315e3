using MusicGen.Assistant.Formats.Gguf;
using MusicGen.Assistant.Testing;
using MusicGen.Assistant.Text;

namespace MusicGen.Assistant.Models.Tests.Tokenizers;

/// <summary>Scratch GGUF files holding only tokenizer metadata, and the fixture tokenizers they are made from.</summary>
internal sealed class TokenizerGgufFiles : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("mga-tokenizer-gguf-");
    private int _count;

    public string Folder => _dir.FullName;

    /// <summary>Writes a GGUF with just these metadata entries (no tensors) and returns its path.</summary>
    public string Write(IEnumerable<KeyValuePair<string, GgufValue>> entries)
    {
        string path = Path.Combine(_dir.FullName, $"t{_count++}.gguf");
        GgufWriter.Write(path, entries, []);
        return path;
    }

    public static SentencePieceTokenizer SentencePiece(string model) => SentencePieceTokenizer.Load(TokenizerFixture.ModelPath(model));

    /// <summary>M2UGen's tokenizer: llama-bpe.model and the fixture's added tokens.</summary>
    public static LlamaTokenizer M2UGen() =>
        LlamaTokenizer.Load(TokenizerFixture.ModelPath(TokenizerFixture.Llama), TokenizerFixture.M2UGenAddedTokens().Select(t => t.Token));

    public void Dispose() => _dir.Delete(recursive: true);
}
