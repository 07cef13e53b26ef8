using System.Globalization;
using System.Runtime.InteropServices;

namespace Netloop.Bench.Report;

/// <summary>Reads what the report says about the machine: cores, CPU model, kernel, .NET, memory.</summary>
internal static class MachineProbe
{
    /// <summary>This machine, with the pinning and file limit the run uses.</summary>
    public static MachineInfo Read(string pinning, long openFileLimit) => new()
    {
        Cores = Environment.ProcessorCount,
        CpuModel = FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString(),
        Kernel = ReadTrimmed("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.VersionString,
        Os = RuntimeInformation.OSDescription,
        Dotnet = RuntimeInformation.FrameworkDescription,
        MemoryBytes = MemoryBytes(),
        OpenFileLimit = openFileLimit,
        Pinning = pinning,
    };

    private static long MemoryBytes()
    {
        // "MemTotal:       24615236 kB"
        string? value = FirstValue("/proc/meminfo", "MemTotal");
        string? number = value?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        return long.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out long kb) ? kb * 1024 : 0;
    }

    private static string? FirstValue(string path, string key)
    {
        try
        {
            foreach (string line in File.ReadLines(path))
            {
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0 && line[..colon].Trim() == key) return line[(colon + 1)..].Trim();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux, or /proc hidden: the report says less.
        }
        return null;
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
