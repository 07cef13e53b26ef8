using System.Runtime.InteropServices;

namespace Netloop.Hosting;

/// <summary>
/// Turns the first SIGINT or SIGTERM into a request for a graceful stop, instead of the runtime's default of ending the
/// process at once. A second signal during the stop ends the process at once, with the shell's code for death by that
/// signal (130 for SIGINT, 143 for SIGTERM), so an operator or orchestrator that does not want to wait is not stuck.
/// Shared by the CLI's commands and <c>RunAsync</c> (<see cref="ServerRun"/>); the Generic Host handles signals itself.
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
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            // Not the runtime's default: that runs the process-exit handlers, which wait for the graceful stop itself.
            int code = ExitCodeFor(context.Signal);
            Console.Error.WriteLine($"netloop: second {Name(context.Signal)} during the graceful stop: exiting now ({code})");
            Environment.Exit(code);
            return;
        }
        _received.TrySetResult(Name(context.Signal));
    }

    /// <summary>128 + the signal's number, as a shell reports a process a signal ended.</summary>
    internal static int ExitCodeFor(PosixSignal signal) => signal == PosixSignal.SIGINT ? 130 : 143;

    private static string Name(PosixSignal signal) => signal == PosixSignal.SIGINT ? "SIGINT" : "SIGTERM";
}
