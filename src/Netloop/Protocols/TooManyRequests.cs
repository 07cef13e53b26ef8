using Netloop.Http;
using Netloop.Transport;
using Netloop.Transport.PerIp;

namespace Netloop.Protocols;

/// <summary>
/// The per-IP rate limit as both HTTP versions answer it: <c>429 Too Many Requests</c> with <c>Retry-After</c> in whole
/// seconds (RFC 6585 §4, RFC 9110 §10.2.3), written into the response instead of running the application.
/// </summary>
internal static class TooManyRequests
{
    // Retry-After values for the common waits, so a client being refused over and over costs no string per request.
    private static readonly string[] s_seconds = Enumerable.Range(0, 121).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>What <paramref name="connection"/>'s client address may do now: admitted when it carries no per-IP limit.</summary>
    public static RequestAdmission Admit(IConnection connection) =>
        connection is IRequestAdmission gate ? gate.AdmitRequest() : RequestAdmission.Admitted;

    /// <summary>Fills <paramref name="response"/> (reset, nothing written yet) with the 429.</summary>
    public static void Write(HttpResponse response, RequestAdmission refusal)
    {
        int seconds = refusal.RetryAfterSeconds;
        response.StatusCode = 429;
        response.Headers["Retry-After"] = seconds < s_seconds.Length ? s_seconds[seconds] : seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentType = "text/plain; charset=utf-8";
        response.Write("Too Many Requests\n"u8);
    }
}
