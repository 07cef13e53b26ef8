using Netloop.Native;
using Netloop.Reactor;

namespace Netloop.Transport;

/// <summary>
/// A loop's listening socket. Registered level-triggered, so it may accept a bounded batch per wake-up and leave the
/// rest for the next iteration. When accept runs out of fds (EMFILE/ENFILE) or memory, it stops listening for 100 ms
/// instead of spinning on a backlog it cannot drain.
/// </summary>
internal sealed class Listener(LoopTransport transport, int fd, Netloop.Transport.Tls.TlsEndpoint? tls = null) : LoopHandle
{
    private const int MaxAcceptsPerWake = 256;
    private const int PauseMs = 100;
    private const int MaxBacklogAcceptsAtStop = 65_536;

    private bool _paused;
    private bool _closed;

    public void Start()
    {
        int rc = transport.Loop.Register(this, fd, Interest.Read);
        if (rc < 0) throw new NetloopException($"cannot watch the listening socket: {(Errno)(-rc)}");
    }

    internal override void OnReady(Readiness readiness) => Accept(MaxAcceptsPerWake);

    /// <summary>
    /// Before the listener closes at a stop: accepts every connection the kernel has completed (closing the listening
    /// socket would reset them, though their clients already count them as open and may have sent a request). The
    /// listen(2) backlog bounds the count; the cap only guards against a flood arriving faster than it is taken.
    /// </summary>
    public void AcceptBacklog() => Accept(MaxBacklogAcceptsAtStop);

    private void Accept(int max)
    {
        for (int i = 0; i < max && !_closed && !_paused; i++)
        {
            int client = Sys.Accept(fd);
            if (client >= 0)
            {
                transport.OnAccepted(client, tls);
                continue;
            }
            var errno = (Errno)(-client);
            switch (errno)
            {
                case Errno.EAGAIN:
                    return;
                case Errno.EMFILE or Errno.ENFILE or Errno.ENOBUFS or Errno.ENOMEM:
                    transport.OnAcceptError(errno);
                    Pause();
                    return;
                default:
                    // ECONNABORTED, EPROTO and friends concern one connection that is already gone.
                    continue;
            }
        }
    }

    protected internal override void OnTimer(long nowMs)
    {
        if (_closed || !_paused) return;
        _paused = false;
        transport.Loop.ChangeInterest(this, fd, Interest.Read);
    }

    private void Pause()
    {
        _paused = true;
        transport.Loop.ChangeInterest(this, fd, Interest.None);
        transport.Loop.Timers.Schedule(this, transport.Loop.NowMs + PauseMs);
    }

    public void Close()
    {
        if (_closed) return;
        _closed = true;
        transport.Loop.Unregister(this, fd, fdStaysOpen: true);
        Sys.Close(fd);
    }
}
