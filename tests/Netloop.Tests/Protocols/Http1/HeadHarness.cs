using Netloop.Http;
using System.Text;
using Netloop.Protocols.Http1;

namespace Netloop.Tests.Protocols.Http1;

/// <summary>Everything a parser exposes after a call, as one comparable value.</summary>
internal sealed record HeadSnapshot(
    HeadParseStatus Status,
    RequestRejection Rejection,
    int HeadLength,
    RequestMethod Method,
    string MethodText,
    RequestTargetForm Form,
    string Target,
    string Path,
    string Query,
    HttpVersion Version,
    string Headers,
    long ContentLength,
    bool IsChunked,
    bool KeepAlive,
    bool ExpectContinue,
    bool HasHost,
    string Host);

/// <summary>Feeds a parser the way the transport does (a span from the request's first byte that only grows) and captures the result.</summary>
internal static class HeadHarness
{
    /// <summary>Test text to bytes, one byte per char (Latin-1), so "\u00E9" is the single byte 0xE9.</summary>
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static string Text(ReadOnlySpan<byte> bytes) => Encoding.Latin1.GetString(bytes);

    public static HeadSnapshot Capture(RequestHeadParser parser, HeadParseStatus status, ReadOnlySpan<byte> data)
    {
        if (status != HeadParseStatus.Complete)
        {
            return new HeadSnapshot(status, parser.Rejection, 0, default, "", default, "", "", "", default, "", 0, false, false, false, false, "");
        }
        var headers = new StringBuilder();
        for (int i = 0; i < parser.HeaderCount; i++)
        {
            var field = parser.GetHeader(i);
            headers.Append(Text(field.Name(data))).Append(": ").Append(Text(field.Value(data))).Append('\n');
        }
        return new HeadSnapshot(
            status,
            parser.Rejection,
            parser.HeadLength,
            parser.Method,
            Text(parser.MethodRange.Of(data)),
            parser.TargetForm,
            Text(parser.TargetRange.Of(data)),
            Text(parser.PathRange.Of(data)),
            Text(parser.QueryRange.Of(data)),
            parser.Version,
            headers.ToString(),
            parser.ContentLength,
            parser.IsChunked,
            parser.KeepAlive,
            parser.ExpectContinue,
            parser.HasHost,
            parser.HasHost ? Text(parser.HostRange.Of(data)) : "");
    }

    public static HeadSnapshot Whole(byte[] data, HttpLimits? limits = null)
    {
        var parser = new RequestHeadParser(limits);
        var status = parser.ParseHead(data);
        return Capture(parser, status, data);
    }

    /// <summary>One more byte per call. Also returns how many bytes had arrived when the parser decided (or data.Length).</summary>
    public static (HeadSnapshot Snapshot, int DecidedAt) ByteAtATime(byte[] data, HttpLimits? limits = null)
    {
        var parser = new RequestHeadParser(limits);
        for (int k = 0; k <= data.Length; k++)
        {
            var status = parser.ParseHead(data.AsSpan(0, k));
            if (status != HeadParseStatus.Incomplete) return (Capture(parser, status, data), k);
        }
        return (Capture(parser, HeadParseStatus.Incomplete, data), data.Length);
    }

    /// <summary>Two calls: the first <paramref name="split"/> bytes, then everything.</summary>
    public static (HeadParseStatus First, HeadSnapshot Snapshot) Split(byte[] data, int split, HttpLimits? limits = null)
    {
        var parser = new RequestHeadParser(limits);
        var first = parser.ParseHead(data.AsSpan(0, split));
        var status = first == HeadParseStatus.Incomplete ? parser.ParseHead(data) : first;
        return (first, Capture(parser, status, data));
    }

    /// <summary>Calls at arrival points chosen by <paramref name="random"/>, as a network would deliver them.</summary>
    public static HeadSnapshot RandomArrivals(byte[] data, Random random, HttpLimits? limits = null)
    {
        var parser = new RequestHeadParser(limits);
        int available = 0;
        while (true)
        {
            available = Math.Min(data.Length, available + random.Next(0, 12));
            var status = parser.ParseHead(data.AsSpan(0, available));
            if (status != HeadParseStatus.Incomplete || available == data.Length) return Capture(parser, status, data);
        }
    }
}
