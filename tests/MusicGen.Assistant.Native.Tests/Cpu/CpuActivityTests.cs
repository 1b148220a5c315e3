using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Native.Tests.Cpu;

/// <summary>Busy CPUs from two /proc/stat readings.</summary>
public class CpuActivityTests
{
    private const string Before =
        "cpu  300 0 100 1000 0 0 0 0 0 0\n" +
        "cpu0 100 0 50 500 0 0 0 0 0 0\n" +
        "cpu1 200 0 50 500 0 0 0 0 0 0\n" +
        "cpu2 0 0 0 900 0 0 0 0 0 0\n" +
        "intr 12345 0 0\nctxt 999\nprocs_running 3\n";

    // 100 ticks pass on each CPU: cpu0 fully busy (user), cpu1 half (system + steal), cpu2 idle with iowait
    private const string After =
        "cpu  500 0 130 1150 20 0 0 20 0 0\n" +
        "cpu0 200 0 50 500 0 0 0 0 0 0\n" +
        "cpu1 200 0 80 550 0 0 0 20 0 0\n" +
        "cpu2 0 0 0 980 20 0 0 0 0 0\n";

    [Fact]
    public void Per_cpu_lines_are_read_and_the_aggregate_skipped()
    {
        var s = CpuActivity.ParseStat(Before);
        Assert.Equal([0, 1, 2], s.Keys.Order());
        Assert.Equal((150L, 650L), s[0]);
    }

    [Fact]
    public void Busy_share_is_summed_over_the_given_cpus_only()
    {
        Assert.Equal(1.0, CpuActivity.BusyCpus(Before, After, [0]), 6);
        Assert.Equal(0.5, CpuActivity.BusyCpus(Before, After, [1]), 6);
        Assert.Equal(0.0, CpuActivity.BusyCpus(Before, After, [2]), 6);
        Assert.Equal(1.5, CpuActivity.BusyCpus(Before, After, [0, 1, 2]), 6);
        Assert.Equal(0.0, CpuActivity.BusyCpus(Before, After, [5])); // a CPU not in /proc/stat adds nothing
    }

    [Fact]
    public void The_live_reading_is_within_the_cpus_asked_about()
    {
        var cpus = CpuBudget.Current.AffinityCpus;
        var busy = CpuActivity.ForeignBusyCpus(cpus, TimeSpan.FromMilliseconds(50));
        Assert.NotNull(busy);
        Assert.InRange(busy!.Value, 0, cpus.Count);
    }
}
