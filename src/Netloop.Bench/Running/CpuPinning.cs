using System.Globalization;

namespace Netloop.Bench.Running;

/// <summary>
/// Where servers and load run: the server on one core, the load on another, so neither steals the other's CPU. With
/// <c>taskset</c> both are pinned from birth; without it the load pins itself (<c>netloop load --cpu</c>) and the
/// server runs unpinned, which the report says.
/// </summary>
/// <param name="Taskset">Path of taskset(1), or null when it is not installed or pinning is off.</param>
/// <param name="ServerCpu">Core of the servers, or null for no pinning.</param>
/// <param name="LoadCpu">Core of the load processes, or null for no pinning.</param>
internal sealed record CpuPinning(string? Taskset, int? ServerCpu, int? LoadCpu)
{
    /// <summary>Pinning as asked, with taskset when it is on PATH.</summary>
    public static CpuPinning Detect(int? serverCpu, int? loadCpu) => new(FindOnPath("taskset"), serverCpu, loadCpu);

    /// <summary>The server command, started under <c>taskset -c N</c> when possible.</summary>
    public ProcessCommand Server(ProcessCommand command) => Wrap(command, ServerCpu);

    /// <summary>The load command: under taskset, or else with <c>--cpu N</c> appended.</summary>
    public ProcessCommand Load(ProcessCommand command)
    {
        if (LoadCpu is null) return command;
        if (Taskset is not null) return Wrap(command, LoadCpu);
        return command.With(["--cpu", LoadCpu.Value.ToString(CultureInfo.InvariantCulture)]);
    }

    /// <summary>A load generator other than <c>netloop load</c> (h2load): under taskset, or else unpinned, having no <c>--cpu</c>.</summary>
    public ProcessCommand ExternalLoad(ProcessCommand command) => Wrap(command, LoadCpu);

    /// <summary>One line for the report.</summary>
    public string Describe()
    {
        string server = ServerCpu is null ? "server unpinned" : Taskset is null ? "server unpinned (no taskset)" : $"server on cpu {ServerCpu} (taskset)";
        string load = LoadCpu is null ? "load unpinned" : Taskset is null ? $"load on cpu {LoadCpu} (netloop load --cpu)" : $"load on cpu {LoadCpu} (taskset)";
        return $"{server}, {load}";
    }

    /// <summary>Finds an executable on PATH (or in /usr/sbin and /sbin, which a non-root PATH may lack); null when absent.</summary>
    public static string? FindOnPath(string name)
    {
        var folders = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private ProcessCommand Wrap(ProcessCommand command, int? cpu)
    {
        if (cpu is null || Taskset is null) return command;
        return new ProcessCommand(Taskset, ["-c", cpu.Value.ToString(CultureInfo.InvariantCulture), command.FileName, .. command.Arguments]);
    }
}
