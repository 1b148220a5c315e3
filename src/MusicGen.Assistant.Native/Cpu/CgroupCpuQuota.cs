using System.Globalization;

namespace MusicGen.Assistant.Native.Cpu;

/// <summary>
/// The CPU bandwidth limit of this process's cgroup, in CPUs (quota / period), or null when none is set. cgroup v2:
/// cpu.max ("max 100000" or "150000 100000"); v1: cpu.cfs_quota_us (-1 = none) and cpu.cfs_period_us. The group is
/// found through /proc/self/cgroup and its mount through /proc/self/mountinfo; every ancestor up to the mount is
/// checked too (a parent's limit binds its children), and the smallest limit wins.
/// </summary>
public static class CgroupCpuQuota
{
    /// <param name="read">Reads a file's text, null when it is missing or unreadable (a fake tree in tests).</param>
    public static double? Read(Func<string, string?> read)
    {
        var groups = read("/proc/self/cgroup");
        var mounts = read("/proc/self/mountinfo");
        if (groups is null || mounts is null) return null;
        double? limit = null;
        foreach (var (version, path) in Memberships(groups))
        {
            var mount = FindMount(mounts, version);
            if (mount is null) continue;
            foreach (var dir in Ancestry(mount.Value.Root, mount.Value.Point, path))
            {
                var cpus = version == 2 ? ParseCpuMax(read(dir + "/cpu.max")) : ParseCfs(read(dir + "/cpu.cfs_quota_us"), read(dir + "/cpu.cfs_period_us"));
                if (cpus is { } c && (limit is null || c < limit)) limit = c;
            }
        }
        return limit;
    }

    /// <summary>cgroup v2 cpu.max: "$MAX $PERIOD", MAX = "max" for no limit.</summary>
    public static double? ParseCpuMax(string? text)
    {
        if (text is null) return null;
        var parts = text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || parts[0] == "max") return null;
        var period = parts.Length > 1 ? Number(parts[1]) : 100_000;
        return Number(parts[0]) is { } quota && period is > 0 ? quota / period : null;
    }

    /// <summary>cgroup v1: cfs_quota_us / cfs_period_us; a quota ≤ 0 (-1) means no limit.</summary>
    public static double? ParseCfs(string? quota, string? period) =>
        quota is not null && period is not null && Number(quota.Trim()) is > 0 and var q && Number(period.Trim()) is > 0 and var p ? q / p : null;

    private static double? Number(string s) =>
        double.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v is > 0 and < 1e15 ? v : null;

    /// <summary>(1, path) for each v1 hierarchy holding the cpu controller, (2, path) for the unified one.</summary>
    private static IEnumerable<(int Version, string Path)> Memberships(string procSelfCgroup)
    {
        foreach (var line in procSelfCgroup.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "hierarchy-id:controller,list:path"; the path may itself hold ':'
            var first = line.IndexOf(':');
            var second = first < 0 ? -1 : line.IndexOf(':', first + 1);
            if (second < 0) continue;
            var controllers = line[(first + 1)..second];
            var path = line[(second + 1)..].Trim();
            if (line[..first] == "0" && controllers.Length == 0) yield return (2, path);
            else if (controllers.Split(',').Contains("cpu")) yield return (1, path);
        }
    }

    /// <summary>The mount (root within the hierarchy, mount point) of the cgroup2 tree or of the v1 cpu controller.</summary>
    private static (string Root, string Point)? FindMount(string mountinfo, int version)
    {
        foreach (var line in mountinfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "id parent major:minor root mount-point options [optional fields] - fstype source super-options"
            var fields = line.Split(' ');
            var dash = Array.IndexOf(fields, "-");
            if (dash < 5 || fields.Length < dash + 3) continue;
            var fsType = fields[dash + 1];
            var fits = version == 2
                ? fsType == "cgroup2"
                : fsType == "cgroup" && fields[dash + 3].Split(',').Contains("cpu");
            if (fits) return (Unescape(fields[3]), Unescape(fields[4]));
        }
        return null;
    }

    // mountinfo escapes space, tab, newline and backslash as \ooo
    private static string Unescape(string s) =>
        s.Contains('\\') ? s.Replace("\\040", " ").Replace("\\011", "\t").Replace("\\012", "\n").Replace("\\134", "\\") : s;

    /// <summary>The group's directory and each parent up to the mount point, innermost first.</summary>
    internal static IEnumerable<string> Ancestry(string root, string point, string path)
    {
        // the group path is relative to the hierarchy's root; the mount shows the hierarchy from `root` on
        var relative = root == "/" ? path : path.StartsWith(root + "/", StringComparison.Ordinal) || path == root ? path[root.Length..] : "/";
        var parts = relative.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != "." && p != "..").ToList();
        for (var n = parts.Count; n >= 0; n--)
            yield return point.TrimEnd('/') + (n == 0 ? "" : "/" + string.Join('/', parts.Take(n)));
    }
}
