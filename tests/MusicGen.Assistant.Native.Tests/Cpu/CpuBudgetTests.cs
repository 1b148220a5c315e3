using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Native.Tests.Cpu;

/// <summary>Affinity masks and lists, the quota limit, the clamp and its warning, and the default under load.</summary>
public class CpuBudgetTests
{
    private static CpuBudget Budget(int cpus, double? quota = null) => new(Enumerable.Range(0, cpus).ToList(), quota);

    [Theory]
    [InlineData("0-3", new[] { 0, 1, 2, 3 })]
    [InlineData("0,2,4-5\n", new[] { 0, 2, 4, 5 })]
    [InlineData("7", new[] { 7 })]
    [InlineData("", new int[0])]
    public void Cpu_lists_parse(string text, int[] ids) => Assert.Equal(ids, CpuList.Parse(text));

    [Theory]
    [InlineData("3-1")]
    [InlineData("a")]
    [InlineData("1-")]
    [InlineData("-1")]
    public void Bad_cpu_lists_are_refused(string text) => Assert.Throws<FormatException>(() => CpuList.Parse(text));

    [Fact]
    public void Affinity_masks_count_set_bits_in_kernel_order()
    {
        Assert.Equal([0, 1], CpuList.FromMask([0b11, 0, 0, 0]));
        Assert.Equal([1, 8, 15, 63], CpuList.FromMask([0b10, 0b1000_0001, 0, 0, 0, 0, 0, 0b1000_0000]));
        Assert.Empty(CpuList.FromMask(new byte[128]));
    }

    [Theory]
    [InlineData(8, null, 8)]
    [InlineData(8, 2.0, 2)]
    [InlineData(8, 1.5, 1)]   // only whole CPUs
    [InlineData(8, 0.2, 1)]   // never below one
    [InlineData(2, 16.0, 2)]  // a quota above the affinity does not add CPUs
    [InlineData(0, null, 1)]
    public void Usable_is_the_affinity_limited_by_the_quota(int affinity, double? quota, int usable) =>
        Assert.Equal(usable, Budget(affinity, quota).Usable);

    [Fact]
    public void Requests_within_the_budget_pass_unchanged_and_silently()
    {
        var d = Budget(4).Clamp(3, "from --threads");
        Assert.Equal(new ThreadDecision(3, "from --threads"), d);
    }

    [Fact]
    public void Requests_above_the_budget_are_cut_with_a_one_line_warning()
    {
        var d = Budget(8, 2.0).Clamp(64, "from --threads");
        Assert.Equal(2, d.Count);
        Assert.NotNull(d.Warning);
        Assert.DoesNotContain('\n', d.Warning);
        Assert.Contains("64 CPU threads asked for (from --threads)", d.Warning);
        Assert.Contains("2 CPUs (affinity 0-7, cgroup quota 2 CPUs)", d.Warning);
        Assert.Contains("cut to", d.Reason);
        Assert.Throws<ArgumentOutOfRangeException>(() => Budget(2).Clamp(0, "x"));
    }

    [Theory]
    [InlineData(2, 0.0, 2)]
    [InlineData(2, 0.2, 2)]   // a quarter of a CPU busy still counts as free
    [InlineData(2, 1.0, 1)]   // one spinning competitor
    [InlineData(2, 0.6, 1)]
    [InlineData(2, 2.0, 1)]   // never below one
    [InlineData(8, 3.1, 5)]
    [InlineData(8, 9.0, 1)]
    public void The_default_leaves_out_cpus_busy_with_other_processes(int cpus, double busy, int threads) =>
        Assert.Equal(threads, Budget(cpus).ForLoad(busy).Count);

    [Fact]
    public void The_default_without_a_load_reading_is_every_usable_cpu()
    {
        var d = Budget(4, 3.0).ForLoad(null);
        Assert.Equal(3, d.Count);
        Assert.Null(d.Warning);
    }

    [Fact]
    public void The_current_budget_fits_what_the_runtime_sees()
    {
        var b = CpuBudget.Current;
        Assert.InRange(b.Usable, 1, Math.Max(1, b.AffinityCpus.Count));
        Assert.True(b.AffinityCpus.Count >= Environment.ProcessorCount || b.QuotaCpus is not null,
            $"affinity {b.Describe()} vs .NET's {Environment.ProcessorCount} processors");
        Assert.True(CpuThreads.Choose(1024).Count <= b.Usable);
    }
}
