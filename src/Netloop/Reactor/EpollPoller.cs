using System.Runtime.InteropServices;
using Netloop.Native;
using static Netloop.Native.Constants;

namespace Netloop.Reactor;

/// <summary>Linux epoll(7). Connections register edge-triggered (EPOLLET), so a steady connection costs no epoll_ctl per request.</summary>
internal sealed unsafe class EpollPoller : IPoller
{
    private readonly int _epfd;
    private readonly byte* _events;
    private readonly int _capacity;
    private readonly int _stride = EpollEventLayout.Size;
    private readonly int _dataOffset = EpollEventLayout.DataOffset;

    public EpollPoller(int capacity = 1024)
    {
        _epfd = Sys.EpollCreate();
        if (_epfd < 0) throw new NetloopException($"epoll_create1 failed: {(Errno)(-_epfd)}");
        _capacity = capacity;
        _events = (byte*)NativeMemory.Alloc((nuint)(capacity * _stride));
    }

    public string Name => "epoll";

    public bool IsEdgeTriggered => true;

    public int Add(int fd, ulong token, Interest interest) => Sys.EpollControl(_epfd, EPOLL_CTL_ADD, fd, ToEpoll(interest), token);

    public int Modify(int fd, ulong token, Interest interest) => Sys.EpollControl(_epfd, EPOLL_CTL_MOD, fd, ToEpoll(interest), token);

    // close() drops the registration when the last reference to the file goes, so only fds that stay open need this.
    public void Remove(int fd) => Sys.EpollControl(_epfd, EPOLL_CTL_DEL, fd, 0, 0);

    public int Wait(Span<ReadyEvent> events, int timeoutMs)
    {
        int max = Math.Min(events.Length, _capacity);
        int n = Sys.EpollWait(_epfd, _events, max, timeoutMs);
        if (n < 0) throw new NetloopException($"epoll_wait failed: {(Errno)(-n)}");
        for (int i = 0; i < n; i++)
        {
            byte* e = _events + i * _stride;
            uint mask = *(uint*)e;
            ulong token = *(ulong*)(e + _dataOffset);
            var readiness = Readiness.None;
            if ((mask & EPOLLIN) != 0) readiness |= Readiness.Readable;
            if ((mask & EPOLLOUT) != 0) readiness |= Readiness.Writable;
            if ((mask & (EPOLLHUP | EPOLLRDHUP)) != 0) readiness |= Readiness.Hangup;
            if ((mask & EPOLLERR) != 0) readiness |= Readiness.Error;
            events[i] = new ReadyEvent(token, readiness);
        }
        return n;
    }

    public void Dispose()
    {
        Sys.Close(_epfd);
        NativeMemory.Free(_events);
    }

    private static uint ToEpoll(Interest interest)
    {
        uint mask = 0;
        if ((interest & Interest.Read) != 0) mask |= EPOLLIN | EPOLLRDHUP;
        if ((interest & Interest.Write) != 0) mask |= EPOLLOUT;
        if ((interest & Interest.EdgeTriggered) != 0) mask |= EPOLLET;
        return mask;
    }
}
