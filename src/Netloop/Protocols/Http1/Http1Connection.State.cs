using System.Diagnostics;
using Netloop.Transport;

namespace Netloop.Protocols.Http1;

/// <summary>Where a connection is in its request cycle (one request at a time, RFC 9112 §9.3.2).</summary>
internal enum RequestState : byte
{
    /// <summary>No request yet: the first bytes may still be an HTTP/2 client preface.</summary>
    AwaitingFirstRequest,
    /// <summary>Between requests; a head may be arriving (the parser holds it and the request-headers timer runs).</summary>
    AwaitingRequest,
    /// <summary>The handler runs; the body, if any, is still arriving and is fed to it.</summary>
    Handling,
    /// <summary>The handler runs and the body is all in: input is suspended, so a pipelined request waits for this response.</summary>
    AwaitingHandler,
    /// <summary>The handler is done and its response written; what is left of the body is drained before the next request.</summary>
    Answered,
    /// <summary>The protocol asked the transport to close; <see cref="IConnectionProtocol.OnClosed"/> has not come yet.</summary>
    Closing,
    /// <summary><see cref="IConnectionProtocol.OnClosed"/> came: the transport will not call again.</summary>
    Closed,
}

/// <summary>Where the request body is (RFC 9112 §6: framed by Content-Length or chunked coding).</summary>
internal enum BodyState : byte
{
    /// <summary>No body, or all of it arrived.</summary>
    Complete,
    /// <summary>The client sent <c>Expect: 100-continue</c> and waits for the interim response, not sent yet (RFC 9110 §10.1.1).</summary>
    AwaitingContinue,
    /// <summary>Arriving into the application's buffer.</summary>
    Receiving,
    /// <summary>The application's buffer is full: input is suspended until it reads.</summary>
    Suspended,
    /// <summary>The handler finished without reading it all: the rest is read and discarded (up to the drain limit).</summary>
    Draining,
    /// <summary>It will never end: the connection closed early, or it was malformed or too large. Reads throw.</summary>
    Failed,
}

/// <summary>What the connection's one protocol timer is armed for.</summary>
internal enum ProtocolTimer : byte
{
    None,
    /// <summary>A head is arriving: it must be complete within <see cref="HttpLimits.RequestHeadersTimeout"/>.</summary>
    RequestHeaders,
    /// <summary>A body is arriving: checked every second against <see cref="HttpLimits.MinRequestBodyDataRate"/>.</summary>
    BodyDataRate,
}

/// <summary>
/// The state transitions, in one place. Every change of <see cref="_state"/> and <see cref="_bodyState"/> goes through
/// <see cref="MoveTo(RequestState)"/> or <see cref="MoveTo(BodyState)"/>, which check in Debug builds that the move is one
/// the state machine allows (a wrong move is a bug in this class, never the client's doing).
/// </summary>
internal sealed partial class Http1Connection
{
    private RequestState _state;
    private BodyState _bodyState;

    /// <summary>A request's head was parsed and its response is not yet done.</summary>
    private bool InRequest => _state is RequestState.Handling or RequestState.AwaitingHandler or RequestState.Answered;

    /// <summary>Closing or closed: nothing more is read or written.</summary>
    private bool IsClosing => _state >= RequestState.Closing;

    /// <summary>Body bytes are still expected (or will never come, when it failed).</summary>
    private bool BodyIncomplete => _bodyState != BodyState.Complete;

    private void MoveTo(RequestState next)
    {
        Debug.Assert(IsLegal(_state, next), $"illegal request-state move {_state} -> {next}");
        _state = next;
    }

    private void MoveTo(BodyState next)
    {
        Debug.Assert(IsLegal(_bodyState, next), $"illegal body-state move {_bodyState} -> {next}");
        _bodyState = next;
    }

    private static bool IsLegal(RequestState from, RequestState to) => (from, to) switch
    {
        (_, RequestState.Closing) => from < RequestState.Closing,
        (_, RequestState.Closed) => true,
        (RequestState.AwaitingFirstRequest or RequestState.AwaitingRequest, RequestState.Handling) => true,
        (RequestState.Handling, RequestState.AwaitingHandler) => true,
        (RequestState.Handling or RequestState.AwaitingHandler, RequestState.Answered) => true,
        (RequestState.Answered, RequestState.AwaitingRequest) => true,
        _ => false,
    };

    private static bool IsLegal(BodyState from, BodyState to) => (from, to) switch
    {
        // A new request's body starts from a finished one (or a failed one of a request that ended).
        (BodyState.Complete or BodyState.Failed, BodyState.AwaitingContinue or BodyState.Receiving) => true,
        (BodyState.AwaitingContinue, BodyState.Receiving) => true,
        (BodyState.AwaitingContinue or BodyState.Receiving, BodyState.Suspended) => true,
        (BodyState.Suspended, BodyState.Receiving) => true,
        (BodyState.AwaitingContinue or BodyState.Receiving or BodyState.Suspended, BodyState.Draining) => true,
        (BodyState.AwaitingContinue or BodyState.Receiving or BodyState.Suspended or BodyState.Draining, BodyState.Complete) => true,
        (BodyState.AwaitingContinue or BodyState.Receiving or BodyState.Suspended or BodyState.Draining, BodyState.Failed) => true,
        _ => false,
    };
}
