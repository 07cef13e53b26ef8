using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Reactor;

namespace Netloop.Tests.Reactor;

/// <summary>
/// One loop iteration driven by scripted events: readiness reaches the handle its token names, never a handle that took
/// a closed handle's slot, and the deferred lists (ready, flush) run once per iteration.
/// </summary>
public sealed class EventLoopDispatchTests : IDisposable
{
    private readonly FakePoller _poller = new();
    private readonly EventLoop _loop;

    public EventLoopDispatchTests() => _loop = new EventLoop(0, _poller, NullLogger.Instance);

    public void Dispose() => _loop.Dispose();

    [Fact]
    public void Registering_hands_the_poller_the_handles_token()
    {
        var handle = new TestHandle();
        Assert.Equal(0, _loop.Register(handle, fd: 42, Interest.Read | Interest.EdgeTriggered));
        _loop.ChangeInterest(handle, 42, Interest.Read | Interest.Write | Interest.EdgeTriggered);

        Assert.Equal(
            [$"Add 42 {handle.Token} {Interest.Read | Interest.EdgeTriggered}", $"Modify 42 {handle.Token} {Interest.Read | Interest.Write | Interest.EdgeTriggered}"],
            _poller.Calls.Skip(1));
        Assert.Equal(1, _loop.HandleCount);
    }

    [Fact]
    public void An_event_reaches_the_handle_its_token_names()
    {
        var a = new TestHandle("a");
        var b = new TestHandle("b");
        _loop.Register(a, 10, Interest.Read);
        _loop.Register(b, 11, Interest.Read);
        _poller.Script(new ReadyEvent(b.Token, Readiness.Readable | Readiness.Hangup));

        _loop.RunOnce();

        Assert.Empty(a.Ready);
        Assert.Equal([Readiness.Readable | Readiness.Hangup], b.Ready);
    }

    [Fact]
    public void An_event_for_a_handle_closed_earlier_in_the_batch_is_dropped_even_when_its_slot_is_reused()
    {
        // The nginx case: one epoll_wait returns events for A and B; handling A closes B and accepts C, which takes B's
        // slot. B's queued event must not be delivered to C.
        var a = new TestHandle("a");
        var b = new TestHandle("b");
        var c = new TestHandle("c");
        _loop.Register(a, 10, Interest.Read);
        _loop.Register(b, 11, Interest.Read);
        a.OnReadyAction = () =>
        {
            _loop.Unregister(b, 11, fdStaysOpen: false);
            _loop.Register(c, 12, Interest.Read);
        };
        _poller.Script(new ReadyEvent(a.Token, Readiness.Readable), new ReadyEvent(b.Token, Readiness.Readable));

        _loop.RunOnce();

        Assert.Equal(-1, b.Slot);
        Assert.Single(a.Ready);
        Assert.Empty(b.Ready);
        Assert.Empty(c.Ready);
    }

    [Fact]
    public void Unregistering_an_open_fd_removes_it_from_the_poller_but_a_closing_fd_on_epoll_needs_no_call()
    {
        var stays = new TestHandle("stays");
        var closes = new TestHandle("closes");
        _loop.Register(stays, 20, Interest.Read);
        _loop.Register(closes, 21, Interest.Read);

        _loop.Unregister(stays, 20, fdStaysOpen: true);
        _loop.Unregister(closes, 21, fdStaysOpen: false); // close(2) drops an epoll registration by itself

        Assert.Contains("Remove 20", _poller.Calls);
        Assert.DoesNotContain("Remove 21", _poller.Calls);
        Assert.Equal(0, _loop.HandleCount);
    }

    [Fact]
    public void A_level_triggered_poller_is_always_told_to_forget_an_fd()
    {
        var poller = new FakePoller { IsEdgeTriggered = false };
        using var loop = new EventLoop(0, poller, NullLogger.Instance);
        var handle = new TestHandle();
        loop.Register(handle, 30, Interest.Read);

        loop.Unregister(handle, 30, fdStaysOpen: false);

        Assert.Contains("Remove 30", poller.Calls); // poll(2) keeps no kernel state, but its fd array must drop the entry
    }

    [Fact]
    public void A_scheduled_ready_handle_runs_next_iteration_without_blocking_and_only_once()
    {
        var handle = new TestHandle();
        _loop.Register(handle, 10, Interest.Read);
        _loop.ScheduleReady(handle);
        _loop.ScheduleReady(handle);

        _loop.RunOnce();
        _loop.Post(static _ => { }, null); // keep the next iteration from blocking
        _loop.RunOnce();

        Assert.Equal([Readiness.Readable], handle.Ready);
        Assert.Equal([0, 0], _poller.WaitTimeouts);
    }

    [Fact]
    public void A_flush_queued_during_the_flush_phase_runs_next_iteration_without_blocking()
    {
        // Regression: a drained connection whose listener wrote more (HTTP/2 refilling a window) queued a flush in the
        // flush phase; the next Wait blocked until some other event, so a 16 MiB HTTP/2 response stalled at 512 KiB.
        var handle = new TestHandle();
        _loop.Register(handle, 10, Interest.Read);
        handle.OnFlushAction = () =>
        {
            if (handle.Flushes == 1) _loop.ScheduleFlush(handle);
        };
        _loop.Post(_ => _loop.ScheduleFlush(handle), null);

        _loop.RunOnce();
        _loop.RunOnce();

        Assert.Equal(2, handle.Flushes);
        Assert.Equal(0, _poller.WaitTimeouts[1]);
    }

    [Fact]
    public void A_flush_is_run_once_at_the_end_of_the_iteration_and_skipped_for_a_closed_handle()
    {
        var open = new TestHandle("open");
        var closed = new TestHandle("closed");
        _loop.Register(open, 10, Interest.Read);
        _loop.Register(closed, 11, Interest.Read);
        _loop.Post(_ =>
        {
            _loop.ScheduleFlush(open);
            _loop.ScheduleFlush(open);
            _loop.ScheduleFlush(closed);
            _loop.Unregister(closed, 11, fdStaysOpen: false);
        }, null);

        _loop.RunOnce();

        Assert.Equal(1, open.Flushes);
        Assert.Equal(0, closed.Flushes);
    }

    [Fact]
    public void A_failing_handler_is_logged_and_the_iteration_goes_on()
    {
        var failing = new TestHandle("failing") { OnReadyAction = () => throw new InvalidOperationException("boom") };
        var next = new TestHandle("next");
        _loop.Register(failing, 10, Interest.Read);
        _loop.Register(next, 11, Interest.Read);
        _poller.Script(new ReadyEvent(failing.Token, Readiness.Readable), new ReadyEvent(next.Token, Readiness.Readable));

        _loop.RunOnce();

        Assert.Single(next.Ready);
    }
}
