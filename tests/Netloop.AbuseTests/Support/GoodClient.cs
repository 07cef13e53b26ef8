namespace Netloop.AbuseTests.Support;

/// <summary>
/// A well-behaved client beside an attack: one request every <see cref="Interval"/> on a fresh connection, each
/// checked for a 200, until stopped. An attack that starves the server shows as failures here.
/// </summary>
internal sealed class GoodClient : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly List<string> _failures = new();

    private GoodClient(Func<Task<string>> request) => _run = RunAsync(request);

    public int Served { get; private set; }

    public IReadOnlyList<string> Failures
    {
        get { lock (_failures) return _failures.ToList(); }
    }

    /// <summary>GET /plaintext over HTTP/1.1 (or TLS when <paramref name="tls"/>).</summary>
    public static GoodClient Start(int port, bool tls = false) =>
        new(() => tls ? Clients.RequestTlsAsync(port, Clients.Get("/plaintext")) : Clients.RequestAsync(port, Clients.Get("/plaintext")));

    /// <summary>Stops and waits for the request in flight.</summary>
    public async Task StopAsync()
    {
        _stop.Cancel();
        await _run;
    }

    private async Task RunAsync(Func<Task<string>> request)
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                string response = await request();
                if (response.StartsWith("HTTP/1.1 200", StringComparison.Ordinal) && response.EndsWith("Hello, World!", StringComparison.Ordinal)) Served++;
                else Fail("unexpected response: " + response[..Math.Min(80, response.Length)]);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or TimeoutException or System.Security.Authentication.AuthenticationException)
            {
                Fail(e.GetType().Name + ": " + e.Message);
            }
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Fail(string why)
    {
        lock (_failures) _failures.Add(why);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested) await StopAsync();
        _stop.Dispose();
    }
}
