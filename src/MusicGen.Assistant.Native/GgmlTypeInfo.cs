namespace MusicGen.Assistant.Native;

/// <summary>
/// Storage layout of one <see cref="GgmlType"/>: elements are stored in blocks of <see cref="BlockSize"/>
/// elements taking <see cref="BytesPerBlock"/> bytes, along ne[0] (rows never share a block).
/// This is the one table of ggml type sizes in the project.
/// </summary>
public sealed class GgmlTypeInfo
{
    private const int QK = 32;    // block of the classic quants (QK4_0, QK8_0, ...)
    private const int QK_K = 256; // super-block of the k- and i-quants

    private static readonly Dictionary<GgmlType, GgmlTypeInfo> Table = new GgmlTypeInfo[]
    {
        new(GgmlType.F32, "f32", 1, 4),
        new(GgmlType.F16, "f16", 1, 2),
        new(GgmlType.Q4_0, "q4_0", QK, 2 + QK / 2),
        new(GgmlType.Q4_1, "q4_1", QK, 4 + QK / 2),
        new(GgmlType.Q5_0, "q5_0", QK, 2 + 4 + QK / 2),
        new(GgmlType.Q5_1, "q5_1", QK, 4 + 4 + QK / 2),
        new(GgmlType.Q8_0, "q8_0", QK, 2 + QK),
        new(GgmlType.Q8_1, "q8_1", QK, 4 + QK),
        new(GgmlType.Q2_K, "q2_K", QK_K, 4 + QK_K / 16 + QK_K / 4),
        new(GgmlType.Q3_K, "q3_K", QK_K, 2 + QK_K / 4 + QK_K / 8 + 12),
        new(GgmlType.Q4_K, "q4_K", QK_K, 4 + 12 + QK_K / 2),
        new(GgmlType.Q5_K, "q5_K", QK_K, 4 + 12 + QK_K / 2 + QK_K / 8),
        new(GgmlType.Q6_K, "q6_K", QK_K, 2 + QK_K / 16 + 3 * QK_K / 4),
        new(GgmlType.Q8_K, "q8_K", QK_K, 4 + QK_K + QK_K / 16 * 2),
        new(GgmlType.IQ2_XXS, "iq2_xxs", QK_K, 2 + QK_K / 8 * 2),
        new(GgmlType.IQ2_XS, "iq2_xs", QK_K, 2 + QK_K / 8 * 2 + QK_K / 32),
        new(GgmlType.IQ3_XXS, "iq3_xxs", QK_K, 2 + 3 * QK_K / 8),
        new(GgmlType.IQ1_S, "iq1_s", QK_K, 2 + QK_K / 8 + QK_K / 16),
        new(GgmlType.IQ4_NL, "iq4_nl", QK, 2 + QK / 2),
        new(GgmlType.IQ3_S, "iq3_s", QK_K, 2 + 13 * QK_K / 32 + QK_K / 64),
        new(GgmlType.IQ2_S, "iq2_s", QK_K, 2 + QK_K / 4 + QK_K / 16),
        new(GgmlType.IQ4_XS, "iq4_xs", QK_K, 2 + 2 + QK_K / 64 + QK_K / 2),
        new(GgmlType.I8, "i8", 1, 1),
        new(GgmlType.I16, "i16", 1, 2),
        new(GgmlType.I32, "i32", 1, 4),
        new(GgmlType.I64, "i64", 1, 8),
        new(GgmlType.F64, "f64", 1, 8),
        new(GgmlType.IQ1_M, "iq1_m", QK_K, QK_K / 8 + QK_K / 16 + QK_K / 32),
        new(GgmlType.BF16, "bf16", 1, 2),
        new(GgmlType.TQ1_0, "tq1_0", QK_K, 2 + QK_K / 64 + (QK_K - 4 * QK_K / 64) / 5),
        new(GgmlType.TQ2_0, "tq2_0", QK_K, 2 + QK_K / 4),
        new(GgmlType.MXFP4, "mxfp4", QK, 1 + QK / 2),
    }.ToDictionary(info => info.Type);

    private GgmlTypeInfo(GgmlType type, string name, int blockSize, int bytesPerBlock)
    {
        Type = type;
        Name = name;
        BlockSize = blockSize;
        BytesPerBlock = bytesPerBlock;
    }

    public GgmlType Type { get; }

    /// <summary>ggml's name for the type ("f32", "q8_0", "q4_K").</summary>
    public string Name { get; }

    /// <summary>Elements per block (1 for plain types).</summary>
    public int BlockSize { get; }

    /// <summary>Bytes per block (the element size for plain types).</summary>
    public int BytesPerBlock { get; }

    public bool IsQuantized => BlockSize > 1;

    /// <summary>Every known type.</summary>
    public static IReadOnlyCollection<GgmlTypeInfo> All => Table.Values;

    /// <exception cref="ArgumentOutOfRangeException">The type id is not a known ggml type.</exception>
    public static GgmlTypeInfo Get(GgmlType type) =>
        Table.TryGetValue(type, out GgmlTypeInfo? info)
            ? info
            : throw new ArgumentOutOfRangeException(nameof(type), (uint)type, $"Unknown ggml type id {(uint)type}.");

    /// <summary>Looks up a raw type id as read from a file.</summary>
    public static bool TryGet(uint id, out GgmlTypeInfo info) => Table.TryGetValue((GgmlType)id, out info!);

    /// <summary>Bytes of one row of <paramref name="ne0"/> elements.</summary>
    /// <exception cref="ArgumentException">ne0 is negative or not a multiple of the block size.</exception>
    public long RowSize(long ne0)
    {
        string? problem = CheckRowLength(ne0);
        return problem is null ? ne0 / BlockSize * BytesPerBlock : throw new ArgumentException(problem, nameof(ne0));
    }

    /// <summary>Bytes of a whole tensor with dimensions <paramref name="ne"/> (ne[0] fastest).</summary>
    /// <exception cref="ArgumentException">The shape is invalid for this type (see <see cref="CheckShape"/>).</exception>
    public long TensorByteSize(ReadOnlySpan<long> ne)
    {
        string? problem = CheckShape(ne, out long bytes);
        return problem is null ? bytes : throw new ArgumentException(problem, nameof(ne));
    }

    /// <summary>
    /// Null when <paramref name="ne"/> is a valid shape for this type (then <paramref name="byteSize"/> is its size),
    /// otherwise the problem, e.g. "ne[0]=33 is not a multiple of the block size 32 of q8_0".
    /// </summary>
    public string? CheckShape(ReadOnlySpan<long> ne, out long byteSize)
    {
        byteSize = 0;
        if (ne.Length == 0)
        {
            return "a tensor needs at least one dimension";
        }
        for (int i = 0; i < ne.Length; i++)
        {
            if (ne[i] < 0)
            {
                return $"ne[{i}]={ne[i]} is negative";
            }
        }
        string? rowProblem = CheckRowLength(ne[0]);
        if (rowProblem is not null)
        {
            return rowProblem;
        }
        try
        {
            long bytes = checked(ne[0] / BlockSize * BytesPerBlock);
            long elements = ne[0];
            for (int i = 1; i < ne.Length; i++)
            {
                bytes = checked(bytes * ne[i]);
                elements = checked(elements * ne[i]);
            }
            byteSize = bytes;
            return null;
        }
        catch (OverflowException)
        {
            return $"shape [{string.Join(", ", ne.ToArray())}] is too large to address";
        }
    }

    private string? CheckRowLength(long ne0) =>
        ne0 < 0 ? $"ne[0]={ne0} is negative"
        : ne0 % BlockSize != 0 ? $"ne[0]={ne0} is not a multiple of the block size {BlockSize} of {Name}"
        : null;

    public override string ToString() => Name;
}
