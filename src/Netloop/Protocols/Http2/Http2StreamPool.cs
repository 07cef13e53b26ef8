namespace Netloop.Protocols.Http2;

/// <summary>Streams kept per thread (so per event loop, with no lock) for reuse: a stream costs no allocation in steady state.</summary>
internal sealed class Http2StreamPool
{
    private const int MaxKept = 1024;

    [ThreadStatic]
    private static Http2StreamPool? t_current;

    private readonly Stack<Http2Stream> _streams = new();

    public static Http2StreamPool Current => t_current ??= new Http2StreamPool();

    public Http2Stream Rent() => _streams.TryPop(out var stream) ? stream : new Http2Stream();

    public void Return(Http2Stream stream)
    {
        if (_streams.Count < MaxKept) _streams.Push(stream);
    }
}
