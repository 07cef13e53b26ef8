using Netloop.Native;
using static Netloop.Native.Constants;

namespace Netloop.Reactor;

/// <summary>
/// Portable poll(2), level-triggered: the kernel rescans every registered fd on each call, which is what makes poll
/// O(connections) and the reason epoll exists. Kept dense (removal swaps the last entry in) with an fd-indexed map.
/// </summary>
internal sealed unsafe class PollPoller : IPoller
{
    private PollFd[] _fds = new PollFd[64];
    private ulong[] _tokens = new ulong[64];
    private int[] _indexByFd = new int[256];
    private int _count;
    private int _scanStart;

    public PollPoller() => Array.Fill(_indexByFd, -1);

    public string Name => "poll";

    public bool IsEdgeTriggered => false;

    public int Add(int fd, ulong token, Interest interest)
    {
        if (fd >= _indexByFd.Length)
        {
            int old = _indexByFd.Length;
            Array.Resize(ref _indexByFd, Math.Max(fd + 1, old * 2));
            Array.Fill(_indexByFd, -1, old, _indexByFd.Length - old);
        }
        if (_indexByFd[fd] >= 0) return -(int)Errno.EINVAL;
        if (_count == _fds.Length)
        {
            Array.Resize(ref _fds, _count * 2);
            Array.Resize(ref _tokens, _count * 2);
        }
        _fds[_count] = new PollFd { Fd = fd, Events = ToPoll(interest) };
        _tokens[_count] = token;
        _indexByFd[fd] = _count;
        _count++;
        return 0;
    }

    public int Modify(int fd, ulong token, Interest interest)
    {
        int index = fd < _indexByFd.Length ? _indexByFd[fd] : -1;
        if (index < 0) return -(int)Errno.ENOENT;
        _fds[index].Events = ToPoll(interest);
        _tokens[index] = token;
        return 0;
    }

    public void Remove(int fd)
    {
        int index = fd < _indexByFd.Length ? _indexByFd[fd] : -1;
        if (index < 0) return;
        int last = --_count;
        if (index != last)
        {
            _fds[index] = _fds[last];
            _tokens[index] = _tokens[last];
            _indexByFd[_fds[index].Fd] = index;
        }
        _indexByFd[fd] = -1;
    }

    public int Wait(Span<ReadyEvent> events, int timeoutMs)
    {
        int ready;
        fixed (PollFd* fds = _fds)
        {
            ready = Sys.Poll(fds, _count, timeoutMs);
        }
        if (ready < 0) throw new NetloopException($"poll failed: {(Errno)(-ready)}");
        if (ready == 0 || _count == 0) return 0;
        // Start each scan where the last one stopped, so with more ready fds than event slots nobody starves.
        int produced = 0;
        int start = _scanStart % _count;
        for (int k = 0; k < _count && produced < events.Length && produced < ready; k++)
        {
            int i = (start + k) % _count;
            short revents = _fds[i].ReturnedEvents;
            if (revents == 0) continue;
            _fds[i].ReturnedEvents = 0;
            var readiness = Readiness.None;
            if ((revents & POLLIN) != 0) readiness |= Readiness.Readable;
            if ((revents & POLLOUT) != 0) readiness |= Readiness.Writable;
            if ((revents & (POLLHUP | POLLRDHUP)) != 0) readiness |= Readiness.Hangup;
            if ((revents & (POLLERR | POLLNVAL)) != 0) readiness |= Readiness.Error;
            events[produced++] = new ReadyEvent(_tokens[i], readiness);
            _scanStart = i + 1;
        }
        return produced;
    }

    public void Dispose()
    {
    }

    private static short ToPoll(Interest interest)
    {
        short mask = 0;
        if ((interest & Interest.Read) != 0) mask |= POLLIN | POLLRDHUP;
        if ((interest & Interest.Write) != 0) mask |= POLLOUT;
        return mask;
    }
}
