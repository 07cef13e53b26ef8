namespace Netloop.Http.StaticFiles;

/// <summary>
/// Conditional requests (RFC 9110 §13) for a resource that exists, with an entity-tag and a modification date.
/// </summary>
internal static class Preconditions
{
    /// <summary>
    /// Evaluates the preconditions in the order of RFC 9110 §13.2.2. Pass an empty span for an absent header.
    /// </summary>
    /// <remarks>
    /// <list type="number">
    /// <item>If-Match present: <c>*</c> or a strong match with <paramref name="etag"/> continues, otherwise 412.</item>
    /// <item>Otherwise If-Unmodified-Since, when a valid date: modified after it → 412.</item>
    /// <item>If-None-Match present: <c>*</c> or a weak match → 304 for GET/HEAD, 412 for other methods; no match
    /// continues and If-Modified-Since is then not looked at (If-None-Match takes precedence).</item>
    /// <item>Otherwise, for GET/HEAD only, If-Modified-Since, when a valid date: not modified since → 304.</item>
    /// </list>
    /// An invalid date is ignored (the header is treated as absent), as §13.1.3/§13.1.4 require. Dates compare at
    /// whole-second resolution, the resolution of HTTP-date. If-Range is part of range handling
    /// (<see cref="ByteRanges.ParseRange"/>).
    /// </remarks>
    /// <param name="method">The request method.</param>
    /// <param name="ifNoneMatch">The If-None-Match value, or empty.</param>
    /// <param name="ifModifiedSince">The If-Modified-Since value, or empty.</param>
    /// <param name="ifMatch">The If-Match value, or empty.</param>
    /// <param name="ifUnmodifiedSince">The If-Unmodified-Since value, or empty.</param>
    /// <param name="etag">The resource's current entity-tag, quotes included (e.g. <see cref="StaticFile.ETagBytes"/>).</param>
    /// <param name="lastModified">The resource's modification time.</param>
    public static ConditionalResult Evaluate(
        ReadOnlySpan<byte> method,
        ReadOnlySpan<byte> ifNoneMatch,
        ReadOnlySpan<byte> ifModifiedSince,
        ReadOnlySpan<byte> ifMatch,
        ReadOnlySpan<byte> ifUnmodifiedSince,
        ReadOnlySpan<byte> etag,
        DateTimeOffset lastModified)
    {
        bool isGetOrHead = method.SequenceEqual("GET"u8) || method.SequenceEqual("HEAD"u8);
        long modified = WholeSeconds(lastModified);

        if (!IsBlank(ifMatch))
        {
            if (!EntityTag.IsAny(ifMatch) && !EntityTag.ListContains(ifMatch, etag, weak: false)) return ConditionalResult.PreconditionFailed;
        }
        else if (!IsBlank(ifUnmodifiedSince) && HttpDate.TryParse(ifUnmodifiedSince, out DateTimeOffset since) && modified > WholeSeconds(since))
        {
            return ConditionalResult.PreconditionFailed;
        }

        if (!IsBlank(ifNoneMatch))
        {
            if (EntityTag.IsAny(ifNoneMatch) || EntityTag.ListContains(ifNoneMatch, etag, weak: true))
            {
                return isGetOrHead ? ConditionalResult.NotModified : ConditionalResult.PreconditionFailed;
            }
        }
        else if (isGetOrHead && !IsBlank(ifModifiedSince) && HttpDate.TryParse(ifModifiedSince, out DateTimeOffset date) && modified <= WholeSeconds(date))
        {
            return ConditionalResult.NotModified;
        }
        return ConditionalResult.Proceed;
    }

    internal static long WholeSeconds(DateTimeOffset value) => value.UtcTicks / TimeSpan.TicksPerSecond;

    private static bool IsBlank(ReadOnlySpan<byte> value) => value.Trim(" \t"u8).IsEmpty;
}
