using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Reactor;

namespace Netloop.Tests.Reactor;

/// <summary>
/// The cross-thread path into a loop (<see cref="EventLoop.Post(Action{object?}, object?)"/>, <see cref="EventLoop.RequestStop"/>)
/// on a fake poller: one eventfd write per burst of posts, the wake token drained before the flag is cleared so a post
/// racing the drain is never lost, and a loop blocked in Wait(-1) woken by a post or a stop.
/// </summary>
public sealed class EventLoopWakeUpTests : IDisposable
{
    private const ulong WakeToken = ulong.MaxValue;
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly FakePoller _poller = new();
    private readonly EventLoop _loop;
    private bool _started;

    public EventLoopWakeUpTests() => _loop = new EventLoop(0, _poller, NullLogger.Instance);

    public void Dispose()
    {
        if (_started && !_loop.Completion.IsCompleted)
        {
            _loop.RequestStop();
            _loop.Completion.Wait(HangGuard);
        }
        _loop.Dispose();
    }

    [Fact]
    public void The_loop_watches_its_eventfd_for_reading_under_the_reserved_token()
    {
        Assert.True(_poller.WakeFd >= 0);
        Assert.Equal([$"Add {_poller.WakeFd} {WakeToken} {Interest.Read}"], _poller.Calls);
        Assert.Equal(0, _poller.PendingWakeCount);
    }

    [Fact]
    public void A_burst_of_posts_writes_the_eventfd_once()
    {
        var posters = Enumerable.Range(0, 4).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 250; i++) _loop.Post(static _ => { }, null);
        })).ToList();
        posters.ForEach(t => t.Start());
        posters.ForEach(t => t.Join());

        // Not started, so nothing drained: 1000 posts, one write (the counter would read 1000 otherwise).
        Assert.Equal(1, _poller.PendingWakeCount);
    }

    [Fact]
    public void An_iteration_drains_the_wake_up_runs_the_work_and_rearms_the_next_post()
    {
        int ran = 0;
        for (int i = 0; i < 100; i++) _loop.Post(_ => ran++, null);

        _loop.RunOnce();

        Assert.Equal(100, ran);
        Assert.Equal(0, _poller.WaitTimeouts[0]); // work queued: the loop must not block
        Assert.Equal(0, _poller.PendingWakeCount); // drained

        _loop.Post(_ => ran++, null);
        Assert.Equal(1, _poller.PendingWakeCount); // the flag was cleared, so this post signalled again
        _loop.RunOnce();
        Assert.Equal(101, ran);
    }

    [Fact]
    public void A_post_made_by_posted_work_is_signalled_and_runs_in_the_next_iteration()
    {
        var order = new List<string>();
        _loop.Post(_ =>
        {
            order.Add("first");
            _loop.Post(_ => order.Add("second"), null);
        }, null);

        _loop.RunOnce();
        Assert.Equal(["first"], order); // posted during the drain: waits for the next iteration, so I/O is not starved
        Assert.Equal(1, _poller.PendingWakeCount); // and is not lost: the eventfd was written again

        _loop.RunOnce();
        Assert.Equal(["first", "second"], order);
        Assert.Equal([0, 0], _poller.WaitTimeouts);
    }

    [Fact]
    public void A_post_made_while_the_wake_event_batch_is_dispatched_is_not_lost()
    {
        // The wake token and a handle are ready in one batch; the handle posts after the wake-up was drained and
        // cleared. That post must write the eventfd again, or a loop about to block in Wait(-1) would never see it.
        var handle = new TestHandle();
        Assert.Equal(0, _loop.Register(handle, fd: 1000, Interest.Read));
        bool ran = false;
        handle.OnReadyAction = () => _loop.Post(_ => ran = true, null);
        _loop.Post(static _ => { }, null);
        _poller.Script(new ReadyEvent(WakeToken, Readiness.Readable), new ReadyEvent(handle.Token, Readiness.Readable));

        _loop.RunOnce();

        Assert.Single(handle.Ready);
        Assert.True(ran); // the post landed before the posted-work phase of the same iteration
        Assert.Equal(1, _poller.PendingWakeCount); // signalled after the drain: flag set and eventfd written agree

        _loop.RunOnce(); // the next Wait returns at once with the wake token (one spare iteration, never a lost one)
        Assert.Equal("Wait -1 -> 1", _poller.Calls[^1]);
        Assert.Equal(0, _poller.PendingWakeCount);
        _loop.Post(static _ => { }, null);
        Assert.Equal(1, _poller.PendingWakeCount);
    }

    [Fact]
    public void With_nothing_to_do_the_loop_blocks_without_a_timeout()
    {
        var waiter = new Thread(() => _loop.RunOnce());
        waiter.Start();
        Assert.True(_poller.Blocked.Wait(HangGuard), "the loop never blocked in Wait");
        _loop.Post(static _ => { }, null);
        Assert.True(waiter.Join(HangGuard), "a post did not wake the blocked loop");
        Assert.Equal(-1, _poller.WaitTimeouts[0]);
    }

    [Fact]
    public async Task A_post_from_another_thread_wakes_a_loop_blocked_in_wait()
    {
        Start();
        Assert.True(_poller.Blocked.Wait(HangGuard), "the loop never blocked in Wait");
        var ranOn = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        _loop.Post(_ => ranOn.TrySetResult(_loop.IsOnLoopThread), null);

        Assert.True(await ranOn.Task.WaitAsync(HangGuard), "posted work ran off the loop thread");
    }

    [Fact]
    public async Task Many_posts_from_several_threads_all_run_on_a_running_loop()
    {
        const int PerThread = 5_000;
        int ran = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Start();
        var posters = Enumerable.Range(0, 3).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < PerThread; i++)
            {
                _loop.Post(_ =>
                {
                    if (++ran == 3 * PerThread) done.TrySetResult();
                }, null);
            }
        })).ToList();
        posters.ForEach(t => t.Start());
        posters.ForEach(t => t.Join());

        await done.Task.WaitAsync(HangGuard); // a TimeoutException here is a lost wake-up
    }

    [Fact]
    public async Task Stop_wakes_a_loop_blocked_in_wait()
    {
        Start();
        Assert.True(_poller.Blocked.Wait(HangGuard), "the loop never blocked in Wait");

        _loop.RequestStop();

        await _loop.Completion.WaitAsync(HangGuard); // a TimeoutException here: the stop never woke the loop
        Assert.Equal(-1, _poller.WaitTimeouts[0]);
    }

    [Fact]
    public void Dispose_releases_the_poller_and_a_late_post_is_harmless()
    {
        _loop.Dispose();
        Assert.True(_poller.Disposed);
        _loop.Post(static _ => { }, null); // the eventfd is closed: the post is dropped, it neither throws nor writes a reused fd
    }

    private void Start()
    {
        _loop.Start();
        _started = true;
    }
}
