using MusicGen.Assistant.Native.Cpu;

namespace MusicGen.Assistant.Native.Tests.Cpu;

/// <summary>The cgroup CPU limit read from fake /proc and /sys trees: v1, v2, "max", nested groups, odd mounts.</summary>
public class CgroupCpuQuotaTests
{
    private const string V2Mount = "30 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate\n";
    private const string V1Mounts =
        "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n" +
        "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" +
        "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n";

    private static Func<string, string?> Tree(params (string Path, string Text)[] files)
    {
        var map = files.ToDictionary(f => f.Path, f => f.Text);
        return path => map.GetValueOrDefault(path);
    }

    [Fact]
    public void V2_quota_of_the_process_group()
    {
        var read = Tree(("/proc/self/cgroup", "0::/user.slice/app.scope\n"), ("/proc/self/mountinfo", V2Mount),
            ("/sys/fs/cgroup/user.slice/app.scope/cpu.max", "150000 100000\n"));
        Assert.Equal(1.5, CgroupCpuQuota.Read(read));
    }

    [Fact]
    public void V2_max_everywhere_is_no_limit()
    {
        var read = Tree(("/proc/self/cgroup", "0::/a/b\n"), ("/proc/self/mountinfo", V2Mount),
            ("/sys/fs/cgroup/a/b/cpu.max", "max 100000\n"), ("/sys/fs/cgroup/a/cpu.max", "max 100000\n"));
        Assert.Null(CgroupCpuQuota.Read(read));
    }

    [Fact]
    public void V2_a_parent_limit_binds_a_nested_group_and_the_smallest_wins()
    {
        var read = Tree(("/proc/self/cgroup", "0::/outer/middle/inner\n"), ("/proc/self/mountinfo", V2Mount),
            ("/sys/fs/cgroup/outer/middle/inner/cpu.max", "max 100000"),
            ("/sys/fs/cgroup/outer/middle/cpu.max", "300000 100000"),
            ("/sys/fs/cgroup/outer/cpu.max", "50000 25000"));
        Assert.Equal(2.0, CgroupCpuQuota.Read(read));
    }

    [Fact]
    public void V2_mounted_at_a_namespace_root_maps_the_group_path_below_it()
    {
        // a container: the hierarchy's root /kubepods/pod1 is mounted at /sys/fs/cgroup
        var read = Tree(("/proc/self/cgroup", "0::/kubepods/pod1/c1\n"),
            ("/proc/self/mountinfo", "40 30 0:26 /kubepods/pod1 /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw\n"),
            ("/sys/fs/cgroup/c1/cpu.max", "250000 100000"), ("/sys/fs/cgroup/cpu.max", "400000 100000"));
        Assert.Equal(2.5, CgroupCpuQuota.Read(read));
    }

    [Fact]
    public void V1_cfs_quota_over_period_with_a_combined_cpu_cpuacct_mount()
    {
        var read = Tree(("/proc/self/cgroup", "4:memory:/docker/x\n3:cpuset:/docker/x\n2:cpu,cpuacct:/docker/x\n1:name=systemd:/docker/x\n0::/\n"),
            ("/proc/self/mountinfo", V1Mounts),
            ("/sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_quota_us", "100000\n"),
            ("/sys/fs/cgroup/cpu,cpuacct/docker/x/cpu.cfs_period_us", "100000\n"),
            ("/sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_quota_us", "-1\n"),
            ("/sys/fs/cgroup/cpu,cpuacct/docker/cpu.cfs_period_us", "100000\n"));
        Assert.Equal(1.0, CgroupCpuQuota.Read(read));
    }

    [Fact]
    public void V1_minus_one_is_no_limit()
    {
        var read = Tree(("/proc/self/cgroup", "2:cpu,cpuacct:/\n"), ("/proc/self/mountinfo", V1Mounts),
            ("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1"), ("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000"));
        Assert.Null(CgroupCpuQuota.Read(read));
    }

    [Fact]
    public void Missing_files_and_unmounted_controllers_are_no_limit()
    {
        Assert.Null(CgroupCpuQuota.Read(Tree()));
        Assert.Null(CgroupCpuQuota.Read(Tree(("/proc/self/cgroup", "0::/a\n"), ("/proc/self/mountinfo", V1Mounts))));
        Assert.Null(CgroupCpuQuota.Read(Tree(("/proc/self/cgroup", "0::/a\n"), ("/proc/self/mountinfo", V2Mount))));
    }

    [Theory]
    [InlineData("max 100000", null)]
    [InlineData("max", null)]
    [InlineData("200000 100000", 2.0)]
    [InlineData("50000 100000\n", 0.5)]
    [InlineData("100000", 1.0)] // period omitted: the kernel's default 100 ms
    [InlineData("garbage 100000", null)]
    [InlineData("100000 0", null)]
    [InlineData("", null)]
    public void Cpu_max_forms(string text, double? cpus) => Assert.Equal(cpus, CgroupCpuQuota.ParseCpuMax(text));

    [Fact]
    public void Mount_points_with_escaped_spaces_are_unescaped()
    {
        var read = Tree(("/proc/self/cgroup", "0::/g\n"),
            ("/proc/self/mountinfo", "30 23 0:26 / /mnt/cgroup\\040root rw - cgroup2 cgroup2 rw\n"),
            ("/mnt/cgroup root/g/cpu.max", "300000 100000"));
        Assert.Equal(3.0, CgroupCpuQuota.Read(read));
    }
}
