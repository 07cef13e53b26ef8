using System.Net;
using BenchmarkDotNet.Attributes;
using Netloop.Transport.PerIp;

namespace Netloop.Benchmarks;

/// <summary>
/// The per-IP limits' costs: a request's rate check (one CAS on the connection's cached entry), and an accept and
/// close of a known address (the striped lookup under its lock). Both must allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class ClientAddressTableBenchmarks
{
    private readonly ClientAddressTable _table = new(1_000_000, 1_000_000, int.MaxValue / 1000, 64, 65_536, TimeSpan.FromSeconds(10));
    private readonly AddressKey _key = AddressKey.From(IPAddress.Parse("2001:db8::1"), 64);
    private AddressEntry _entry = null!;
    private int _refused;
    private long _nowMs;

    [GlobalSetup]
    public void Setup()
    {
        for (int i = 0; i < 50_000; i++) _table.TryAcquireConnection(AddressKey.From(new IPAddress(0x0A000000 + i), 64), 1);
        _entry = _table.TryAcquireConnection(_key, 1)!;
    }

    [Benchmark(Baseline = true)]
    public bool AdmitRequest() => _table.AdmitRequest(_entry, ++_nowMs, ref _refused).IsAdmitted;

    [Benchmark]
    public void AcquireAndReleaseKnownAddress()
    {
        var entry = _table.TryAcquireConnection(_key, _nowMs)!;
        _table.ReleaseConnection(entry, _nowMs);
    }
}
