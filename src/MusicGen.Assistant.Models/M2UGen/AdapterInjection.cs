namespace MusicGen.Assistant.Models.M2UGen;

/// <summary>Where M2UGen's modality vectors enter its LLaMA: two layouts exist in the history of m2ugen.py.</summary>
public enum AdapterLayout
{
    /// <summary>
    /// HEAD (2c702a4): prefix_query holds 3·q rows; the last 3q layers form three groups of q (music, image, video),
    /// each layer's adapter = its modality's vector + its prefix row, or the prefix row alone when that modality is absent.
    /// </summary>
    Head,

    /// <summary>The older layout (Dec 23–31, 2023): the last r layers each get (sum of the present modality vectors) + prefix row i.</summary>
    Summed,
}

/// <summary>
/// Which layers of an n-layer LLaMA receive an adapter vector and what it is made of. In both layouts the injected
/// layers are the last r = prefix-row count, layer n − r + i taking prefix row i; they differ in which modalities add
/// to it (<see cref="Contributors"/>).
/// </summary>
public sealed record AdapterInjection(AdapterLayout Layout, int Layers, int PrefixRows)
{
    /// <summary>
    /// The layout prefix_query's shape implies, as the reference picks it: a multiple of 3 rows is HEAD (18 in the
    /// released 7B, 3 x query_layer 6), anything else the older summed layout (20 rows: layers 12..31).
    /// </summary>
    public static AdapterInjection FromPrefixRows(int rows, int layers, AdapterLayout? layout = null)
    {
        var chosen = layout ?? (rows % 3 == 0 ? AdapterLayout.Head : AdapterLayout.Summed);
        return new AdapterInjection(chosen, layers, rows).Validate();
    }

    public AdapterInjection Validate()
    {
        if (Layers < 1) throw new ModelConfigException($"an adapter injection over {Layers} layers");
        if (PrefixRows < 1 || PrefixRows > Layers)
            throw new ModelConfigException($"prefix_query has {PrefixRows} rows, but the LLaMA has {Layers} layers (one row per injected layer, at most all)");
        if (Layout == AdapterLayout.Head && PrefixRows % 3 != 0)
            throw new ModelConfigException($"the HEAD adapter layout needs 3 x query_layer prefix rows (music, image, video groups), not {PrefixRows}");
        return this;
    }

    /// <summary>Layers per modality group (HEAD's query_layer); the whole span in the summed layout.</summary>
    public int GroupSize => Layout == AdapterLayout.Head ? PrefixRows / 3 : PrefixRows;

    public int FirstLayer => Layers - PrefixRows;

    public bool Injects(int layer) => layer >= FirstLayer && layer < Layers;

    /// <summary>The prefix_query row layer <paramref name="layer"/> adds.</summary>
    public int PrefixRow(int layer) => Injects(layer) ? layer - FirstLayer
        : throw new ArgumentOutOfRangeException(nameof(layer), layer, $"layer {layer} takes no adapter (layers {FirstLayer}..{Layers - 1} do)");

    /// <summary>The modalities whose vector (when present) is added to layer <paramref name="layer"/>'s prefix row.</summary>
    public IReadOnlyList<M2UGenModality> Contributors(int layer) =>
        Layout == AdapterLayout.Head ? [M2UGenModalities.All[PrefixRow(layer) / GroupSize]] : (PrefixRow(layer) >= 0 ? M2UGenModalities.All : []);

    public static string Name(AdapterLayout layout) => layout == AdapterLayout.Head ? "head" : "summed";

    public static AdapterLayout Parse(string text) => text switch
    {
        "head" => AdapterLayout.Head,
        "summed" => AdapterLayout.Summed,
        _ => throw new ModelConfigException($"unknown adapter layout '{text}' (head or summed)"),
    };
}
