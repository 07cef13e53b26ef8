using System.Buffers.Text;

namespace Netloop.Http.StaticFiles;

/// <summary>Range requests (RFC 9110 §14) for a static file: single byte ranges.</summary>
internal static class ByteRanges
{
    /// <summary>
    /// Decides how to answer a GET that may carry <c>Range</c> (and <c>If-Range</c>). Call it only for GET: a Range on
    /// any other method must be ignored (RFC 9110 §14.2), and only after preconditions gave
    /// <see cref="ConditionalResult.Proceed"/>. Pass an empty span for an absent header.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><c>bytes=0-99</c>, <c>bytes=100-</c> (to the end), <c>bytes=-500</c> (the last 500 bytes, or the whole
    /// file if shorter) → Partial; a last-byte-pos past the end is clamped to <c>length - 1</c>.</item>
    /// <item>first-byte-pos at or past the end, or a suffix of 0 (<c>bytes=-0</c>) → Unsatisfiable. A zero-length file
    /// has no satisfiable range, so any valid single range → Unsatisfiable (416 with <c>bytes */0</c>).</item>
    /// <item>Syntax errors (first &gt; last, <c>bytes=abc</c>, missing <c>=</c>, signs, spaces inside a range) and
    /// units other than <c>bytes</c> → Full: an invalid Range is ignored (§14.2).</item>
    /// <item>More than one range (<c>bytes=0-1,5-6</c>) → Full: Netloop does not send multipart/byteranges, and a
    /// server may always ignore Range.</item>
    /// <item><c>If-Range</c> present (§13.1.5): the Range applies only if it is a strong entity-tag equal to
    /// <paramref name="etag"/>, or an HTTP-date equal (to the second) to <paramref name="lastModified"/>; a weak or
    /// different tag, another date or an invalid value → Full.</item>
    /// </list>
    /// </remarks>
    /// <param name="rangeHeader">The Range value, or empty.</param>
    /// <param name="fileLength">The representation's length in bytes.</param>
    /// <param name="ifRange">The If-Range value, or empty.</param>
    /// <param name="etag">The current entity-tag, quotes included.</param>
    /// <param name="lastModified">The current modification time.</param>
    public static RangeResult ParseRange(
        ReadOnlySpan<byte> rangeHeader, long fileLength, ReadOnlySpan<byte> ifRange, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileLength);
        ReadOnlySpan<byte> spec = rangeHeader.Trim(" \t"u8);
        if (spec.IsEmpty) return RangeResult.Full;
        if (!ifRange.Trim(" \t"u8).IsEmpty && !IfRangeHolds(ifRange.Trim(" \t"u8), etag, lastModified)) return RangeResult.Full;

        if (spec.Length < 6 || !System.Text.Ascii.EqualsIgnoreCase(spec[..6], "bytes="u8)) return RangeResult.Full;
        spec = spec[6..];

        // range-set = 1#range-spec; empty list elements are allowed and skipped (RFC 9110 §5.6.1).
        ReadOnlySpan<byte> only = default;
        int count = 0;
        foreach (Range part in spec.Split((byte)','))
        {
            ReadOnlySpan<byte> element = spec[part].Trim(" \t"u8);
            if (element.IsEmpty) continue;
            if (++count > 1) return RangeResult.Full;
            only = element;
        }
        if (count == 0) return RangeResult.Full;

        int dash = only.IndexOf((byte)'-');
        if (dash < 0) return RangeResult.Full;
        if (dash == 0)
        {
            if (!TryReadDigits(only[1..], out long suffix)) return RangeResult.Full;
            if (suffix == 0 || fileLength == 0) return RangeResult.Unsatisfiable;
            long length = Math.Min(suffix, fileLength);
            return RangeResult.Partial(fileLength - length, length);
        }

        if (!TryReadDigits(only[..dash], out long first)) return RangeResult.Full;
        long last = long.MaxValue;
        ReadOnlySpan<byte> lastText = only[(dash + 1)..];
        if (!lastText.IsEmpty && (!TryReadDigits(lastText, out last) || last < first)) return RangeResult.Full;
        if (first >= fileLength) return RangeResult.Unsatisfiable;
        last = Math.Min(last, fileLength - 1);
        return RangeResult.Partial(first, last - first + 1);
    }

    /// <summary>
    /// The Content-Range value for a Partial (<c>bytes 0-99/1234</c>) or Unsatisfiable (<c>bytes */1234</c>) result.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="range"/> is Full: a 200 carries no Content-Range.</exception>
    public static string FormatContentRange(RangeResult range, long fileLength)
    {
        Span<byte> buffer = stackalloc byte[MaxContentRangeLength];
        if (!TryFormatContentRange(range, fileLength, buffer, out int written))
        {
            throw new ArgumentException("A Full range has no Content-Range.", nameof(range));
        }
        return System.Text.Encoding.ASCII.GetString(buffer[..written]);
    }

    /// <summary>The longest Content-Range value: <c>bytes </c>, three 19-digit numbers, <c>-</c> and <c>/</c>.</summary>
    public const int MaxContentRangeLength = 6 + (3 * 19) + 2;

    /// <summary>Writes the Content-Range value as ASCII; false if it does not fit or <paramref name="range"/> is Full.</summary>
    public static bool TryFormatContentRange(RangeResult range, long fileLength, Span<byte> destination, out int written)
    {
        written = 0;
        if (range.Kind == RangeResultKind.Full || !"bytes "u8.TryCopyTo(destination)) return false;
        int at = 6;
        if (range.Kind == RangeResultKind.Unsatisfiable)
        {
            if (destination.Length <= at) return false;
            destination[at++] = (byte)'*';
        }
        else
        {
            if (!Utf8Formatter.TryFormat(range.Offset, destination[at..], out int n)) return false;
            at += n;
            if (destination.Length <= at) return false;
            destination[at++] = (byte)'-';
            if (!Utf8Formatter.TryFormat(range.Last, destination[at..], out n)) return false;
            at += n;
        }
        if (destination.Length <= at) return false;
        destination[at++] = (byte)'/';
        if (!Utf8Formatter.TryFormat(fileLength, destination[at..], out int m)) return false;
        written = at + m;
        return true;
    }

    private static bool IfRangeHolds(ReadOnlySpan<byte> ifRange, ReadOnlySpan<byte> etag, DateTimeOffset lastModified)
    {
        if (ifRange[0] == '"' || ifRange.StartsWith("W/"u8))
        {
            return EntityTag.TryRead(ifRange, out _, out bool weak, out int used)
                && used == ifRange.Length
                && !weak
                && EntityTag.ListContains(ifRange, etag, weak: false);
        }
        return HttpDate.TryParse(ifRange, out DateTimeOffset date)
            && Preconditions.WholeSeconds(date) == Preconditions.WholeSeconds(lastModified);
    }

    /// <summary>1*DIGIT, saturating at long.MaxValue (a huge last-byte-pos still means "to the end").</summary>
    private static bool TryReadDigits(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        foreach (byte b in s)
        {
            int digit = b - '0';
            if ((uint)digit > 9) return false;
            value = value > (long.MaxValue - digit) / 10 ? long.MaxValue : (value * 10) + digit;
        }
        return true;
    }
}
