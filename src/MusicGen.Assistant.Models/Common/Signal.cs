using MusicGen.Assistant.Native;

namespace MusicGen.Assistant.Models;

/// <summary>
/// A multi-channel sequence in one of two ggml layouts: channels-first rows {channels, time} (what matrix products
/// and the LSTM consume) or time-first {time, channels} (what padding, im2col and col2im work on). Each op asks for
/// the layout it needs and the conversion (a transpose copy) happens only then.
/// </summary>
public readonly record struct Signal(Tensor Data, bool ChannelsFirst)
{
    public long Channels => ChannelsFirst ? Data.Ne0 : Data.Ne1;
    public long Length => ChannelsFirst ? Data.Ne1 : Data.Ne0;

    public static Signal FromChannelsFirst(Tensor t) => new(t, true);
    public static Signal FromTimeFirst(Tensor t) => new(t, false);

    public Tensor AsChannelsFirst(GgmlContext ctx) => ChannelsFirst ? Data : ctx.Cont(ctx.Transpose(Data));
    public Tensor AsTimeFirst(GgmlContext ctx) => ChannelsFirst ? ctx.Cont(ctx.Transpose(Data)) : Data;

    /// <summary>When one dimension is 1 both layouts are the same memory, so a relabel is free.</summary>
    public Signal Relabel(GgmlContext ctx, bool channelsFirst) =>
        channelsFirst == ChannelsFirst ? this
        : Data.Ne0 == 1 || Data.Ne1 == 1 ? new Signal(ctx.Reshape(Data, Data.Ne1, Data.Ne0), channelsFirst)
        : new Signal(channelsFirst ? AsChannelsFirst(ctx) : AsTimeFirst(ctx), channelsFirst);

    /// <summary>Applies an elementwise op, keeping the layout.</summary>
    public Signal Map(Func<Tensor, Tensor> op) => this with { Data = op(Data) };
}
