namespace Netloop.Transport.Tls;

/// <summary>
/// Reloads an endpoint's certificates when their files change: their size and modification time are compared every
/// <c>period</c>, and a change is acted on once the files have stayed the same for one more period, so a file caught
/// half-written is not read (a reload that still fails keeps the old certificate and is tried again at the next change).
/// Runs on a thread-pool timer, never on a loop.
/// </summary>
internal sealed class TlsCertificateWatcher : IDisposable
{
    private readonly TlsEndpoint _endpoint;
    private readonly string[] _files;
    private readonly Timer _timer;
    private string _loaded;
    private string? _pending;
    private int _busy;

    public TlsCertificateWatcher(TlsEndpoint endpoint, TimeSpan period)
    {
        _endpoint = endpoint;
        _files = endpoint.WatchedFiles.Distinct().ToArray();
        _loaded = Stamp();
        _timer = new Timer(static state => ((TlsCertificateWatcher)state!).Check(), this, period, period);
    }

    private void Check()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0) return;
        try
        {
            string now = Stamp();
            if (now == _loaded)
            {
                _pending = null;
                return;
            }
            if (now != _pending)
            {
                _pending = now; // changed since the last look: wait one more period for the writer to finish
                return;
            }
            _loaded = now;
            _pending = null;
            _endpoint.Reload("certificate file changed");
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private string Stamp()
    {
        var parts = new List<string>(_files.Length);
        foreach (var path in _files)
        {
            var info = new FileInfo(path);
            parts.Add(info.Exists ? $"{info.Length}:{info.LastWriteTimeUtc.Ticks}" : "missing");
        }
        return string.Join('|', parts);
    }

    public void Dispose() => _timer.Dispose();
}
