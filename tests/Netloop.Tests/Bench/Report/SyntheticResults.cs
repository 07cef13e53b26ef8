using Netloop.Bench;
using Netloop.Bench.Cases;
using Netloop.Bench.Report;
using Netloop.Bench.Servers;

namespace Netloop.Tests.Bench.Report;

/// <summary>Hand-made bench results, so the report and charts can be checked without running a server.</summary>
internal static class SyntheticResults
{
    public static Measurement Round(int round, double requestsPerSecond, double p99Us = 2_000, double cpuUs = 5) => new()
    {
        Round = round,
        Ok = true,
        RequestsPerSecond = requestsPerSecond,
        MegabytesPerSecond = requestsPerSecond * 4096 / 1e6,
        Requests = (long)(requestsPerSecond * 10),
        DurationSeconds = 10,
        ServerCpuSeconds = requestsPerSecond * 10 * cpuUs / 1e6,
        ServerCpuMicrosecondsPerRequest = cpuUs,
        P50Us = p99Us / 4,
        P99Us = p99Us,
        P999Us = p99Us * 2,
    };

    public static Measurement Failed(int round, string reason) => new() { Round = round, Ok = false, Failure = reason };

    /// <summary>Why the C reference did not run in <see cref="Report"/> without <c>referenceBuilt</c>.</summary>
    public const string ReferenceMissing = "not available: gcc not installed (needed to build limit-http.c and limit-echo.c)";

    public static Measurement IdleRound(int round, double bytesPerConnection, int connections = 10_000) => new()
    {
        Round = round,
        Ok = true,
        ConnectionsOpened = connections,
        Idle = new IdleMeasurement
        {
            Connections = connections,
            ConnectionsOpen = connections,
            RssColdBytes = 38_000_000,
            RssBeforeBytes = 40_000_000,
            RssWithConnectionsBytes = 40_000_000 + (long)(bytesPerConnection * connections),
            BytesPerConnection = bytesPerConnection,
            ColdStartBytesPerConnection = bytesPerConnection + 2_000_000.0 / connections,
            ServerFdsAdded = connections,
            ServerThreads = 10,
        },
    };

    /// <summary>
    /// A three-round run: epoll at 300k/310k/290k (median 300k), kestrel 100k, nginx 150k in plaintext-256; serial
    /// failing every round; threads failing one round of three; nginx not installed in a second report variant.
    /// With <paramref name="reference"/>, the C reference <c>c</c> too, measured (600k plaintext-256, 560k
    /// plaintext-1024, 400k echo-256, failing echo-1024, 20 B idle) or, when not <paramref name="referenceBuilt"/>, not
    /// available; it has no JSON, churn or soak entries in either case, as in a real run.
    /// </summary>
    public static BenchReport Report(bool nginxInstalled = true, bool withSoak = false, bool reference = false, bool referenceBuilt = true)
    {
        var cases = CaseCatalog.All(10_000)
            .Where(c => c.Name is "echo-256" or "echo-1024" or "plaintext-256" or "plaintext-1024" or "idle" || (withSoak && c.Name == "soak"))
            .ToList();
        var servers = new[] { "epoll", "serial", "threads", "kestrel", "nginx", "c" }
            .Where(name => reference || name != ServerCatalog.Reference)
            .Select(name => ServerCatalog.All.Single(s => s.Name == name))
            .ToList();
        var results = new List<CaseResult>();
        void Add(string server, string caseName, params Measurement[] rounds)
        {
            results.Add(Netloop.Bench.Running.Medians.Summarize(server, caseName, rounds, "unused"));
        }
        void NotRun(string server, string caseName, string reason)
        {
            results.Add(Netloop.Bench.Running.Medians.Summarize(server, caseName, [], reason));
        }

        Add("epoll", "plaintext-256", Round(1, 300_000), Round(2, 310_000), Round(3, 290_000));
        Add("serial", "plaintext-256", Failed(1, "server exited with code 134: boom"), Failed(2, "server exited with code 134: boom"), Failed(3, "server exited with code 134: boom"));
        Add("threads", "plaintext-256", Round(1, 50_000), Failed(2, "load did not finish within 40 s; killed"), Round(3, 70_000));
        Add("kestrel", "plaintext-256", Round(1, 100_000), Round(2, 90_000), Round(3, 110_000));
        Add("epoll", "plaintext-1024", Round(1, 280_000), Round(2, 280_000), Round(3, 280_000));
        Add("serial", "plaintext-1024", Round(1, 1_000), Round(2, 1_000), Round(3, 1_000));
        Add("threads", "plaintext-1024", Round(1, 40_000), Round(2, 40_000), Round(3, 40_000));
        Add("kestrel", "plaintext-1024", Round(1, 80_000), Round(2, 80_000), Round(3, 80_000));
        foreach (string server in new[] { "epoll", "serial", "threads" })
        {
            Add(server, "echo-256", Round(1, 200_000), Round(2, 200_000), Round(3, 200_000));
            Add(server, "echo-1024", Round(1, 190_000), Round(2, 190_000), Round(3, 190_000));
        }
        Add("epoll", "idle", IdleRound(1, 300), IdleRound(2, 280), IdleRound(3, 290));
        Add("serial", "idle", Failed(1, "only 4,097 of 10,000 connections opened"), Failed(2, "only 4,097 of 10,000 connections opened"), Failed(3, "only 4,097 of 10,000 connections opened"));
        Add("threads", "idle", IdleRound(1, 36_000), IdleRound(2, 37_000), IdleRound(3, 35_000));
        Add("kestrel", "idle", IdleRound(1, 2_900), IdleRound(2, 2_900), IdleRound(3, 2_900));
        if (nginxInstalled)
        {
            Add("nginx", "plaintext-256", Round(1, 150_000), Round(2, 150_000), Round(3, 150_000));
            Add("nginx", "plaintext-1024", Round(1, 140_000), Round(2, 140_000), Round(3, 140_000));
            Add("nginx", "idle", IdleRound(1, 600), IdleRound(2, 600), IdleRound(3, 600));
        }
        else
        {
            NotRun("nginx", "plaintext-256", "not installed");
            NotRun("nginx", "plaintext-1024", "not installed");
            NotRun("nginx", "idle", "not installed");
        }
        if (reference && referenceBuilt)
        {
            Add("c", "plaintext-256", Round(1, 600_000), Round(2, 600_000), Round(3, 600_000));
            Add("c", "plaintext-1024", Round(1, 560_000), Round(2, 560_000), Round(3, 560_000));
            Add("c", "echo-256", Round(1, 400_000), Round(2, 400_000), Round(3, 400_000));
            Add("c", "echo-1024", Failed(1, "server exited with code 139"), Failed(2, "server exited with code 139"), Failed(3, "server exited with code 139"));
            Add("c", "idle", IdleRound(1, 20), IdleRound(2, 20), IdleRound(3, 20));
        }
        else if (reference)
        {
            foreach (string caseName in new[] { "plaintext-256", "plaintext-1024", "echo-256", "echo-1024", "idle" })
            {
                NotRun("c", caseName, ReferenceMissing);
            }
        }
        if (withSoak)
        {
            var curve = Enumerable.Range(0, 60).Select(i => new RssPoint(i, 50_000_000 + (i < 10 ? i * 1_000_000L : 10_000_000))).ToList();
            foreach (string server in new[] { "epoll", "serial", "threads", "kestrel" })
            {
                Add(server, "soak", Round(1, 100_000) with { Soak = new SoakMeasurement { Verdict = "steady", Curve = curve, RssStartBytes = 50_000_000, RssEndBytes = 60_000_000, RssPeakBytes = 60_000_000 } });
            }
            if (nginxInstalled) Add("nginx", "soak", Failed(1, "load failed"));
            else NotRun("nginx", "soak", "not installed");
        }

        return new BenchReport
        {
            Command = "netloop bench --rounds 3",
            StartedUtc = new DateTimeOffset(2026, 11, 23, 18, 0, 0, TimeSpan.Zero),
            ElapsedSeconds = 125,
            Machine = new MachineInfo { Cores = 2, CpuModel = "Test CPU", Kernel = "6.18.0", Dotnet = ".NET 10.0.0", MemoryBytes = 24L << 30, OpenFileLimit = 20_000, Pinning = "server on cpu 0 (taskset), load on cpu 1 (taskset)" },
            Settings = new BenchSettings { Rounds = 3, DurationSeconds = 10, WarmupSeconds = 2, IdleConnections = 10_000, SoakDurationSeconds = 600 },
            Servers = servers.Select(s => new ServerEntry
            {
                Name = s.Name,
                Family = s.Family.ToString(),
                Description = s.Description,
                Available = s.Name switch { "nginx" => nginxInstalled, "c" => referenceBuilt, _ => true },
                Status = s.Name switch
                {
                    "nginx" when !nginxInstalled => "not installed",
                    "c" when !referenceBuilt => ReferenceMissing,
                    _ => "ready",
                },
            }).ToList(),
            Cases = cases.Select(BenchSuite.ToEntry).ToList(),
            Results = results,
        };
    }
}
