using System.Runtime.InteropServices;

namespace Netloop.Cli;

/// <summary>
/// Turns the first SIGINT or SIGTERM into a request for a graceful stop, instead of the runtime's default of ending the
/// process at once. A second signal is left to the default, so an operator who does not want to wait is not stuck.
/// </summary>
internal sealed class ShutdownSignal : IDisposable
{
    private readonly TaskCompletionSource<string> _received = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    /// <summary>Starts listening for SIGINT and SIGTERM; until disposed, the first one no longer ends the process.</summary>
    public ShutdownSignal()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Completes when a shutdown is requested, with the reason (<c>SIGINT</c>, <c>SIGTERM</c>, or <c>cancellation</c>).</summary>
    public async Task<string> WaitAsync(CancellationToken cancellationToken)
    {
        await using var registration = cancellationToken.Register(() => _received.TrySetResult("cancellation")).ConfigureAwait(false);
        return await _received.Task.ConfigureAwait(false);
    }

    /// <summary>Restores the default signal handling.</summary>
    public void Dispose()
    {
        foreach (var registration in _registrations) registration.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _signals) > 1) return;
        context.Cancel = true;
        _received.TrySetResult(context.Signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM");
    }
}
