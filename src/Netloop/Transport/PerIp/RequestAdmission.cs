namespace Netloop.Transport.PerIp;

/// <summary>
/// The per-IP rate limit's answer for one request: admitted, or refused with how long to wait (the <c>Retry-After</c>
/// seconds) and whether the connection has been refused so often in a row that it should be ended.
/// </summary>
internal readonly record struct RequestAdmission(int RetryAfterSeconds, bool EndConnection)
{
    public static RequestAdmission Admitted => default;

    public bool IsAdmitted => RetryAfterSeconds == 0;
}

/// <summary>
/// A connection that knows its client address's request budget (the reactor's <see cref="Connection"/>, or a test's
/// in-memory one). A protocol asks it once per request, before the application sees the request.
/// </summary>
internal interface IRequestAdmission
{
    /// <summary>Spends one request of the client address's budget; <see cref="RequestAdmission.Admitted"/> when no limit applies.</summary>
    RequestAdmission AdmitRequest();
}
