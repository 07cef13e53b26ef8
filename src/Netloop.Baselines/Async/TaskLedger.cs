namespace Netloop.Baselines.Async;

/// <summary>
/// The experiment's instrument, apart from any design: every handler task and accepted socket is counted in and out,
/// so the shutdown audit sees what a design left running even when the design itself kept no record (fire and forget).
/// </summary>
internal sealed class TaskLedger
{
    private long _tasksStarted;
    private long _tasksFinished;
    private long _socketsOpened;
    private long _socketsClosed;

    /// <summary>Handler tasks started and not finished.</summary>
    public long UnfinishedTasks => Volatile.Read(ref _tasksStarted) - Volatile.Read(ref _tasksFinished);

    /// <summary>Accepted sockets not yet disposed.</summary>
    public long OpenSockets => Volatile.Read(ref _socketsOpened) - Volatile.Read(ref _socketsClosed);

    public void SocketOpened() => Interlocked.Increment(ref _socketsOpened);

    public void SocketClosed() => Interlocked.Increment(ref _socketsClosed);

    public void TaskStarted() => Interlocked.Increment(ref _tasksStarted);

    public void TaskFinished() => Interlocked.Increment(ref _tasksFinished);
}
