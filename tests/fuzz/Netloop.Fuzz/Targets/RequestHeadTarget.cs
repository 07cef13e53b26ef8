using Netloop.Protocols.Http1;

namespace Netloop.Fuzz;

/// <summary>
/// <see cref="RequestHeadParser"/> on the input as one request head, once whole and once resumed (a prefix first, then
/// the whole, as a slow client sends it): both must agree, and every range a complete head reports must lie inside it.
/// </summary>
internal sealed class RequestHeadTarget : FuzzTarget
{
    // Made on first use: an instrumented Netloop may run only once the fuzzer has set up its coverage map.
    private RequestHeadParser? _whole;
    private RequestHeadParser? _resumed;

    public override string Name => "request-head";

    public override string Description => "RequestHeadParser: the input is an HTTP/1.1 request head (and maybe more)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        _whole ??= new RequestHeadParser();
        _resumed ??= new RequestHeadParser();
        _whole.Reset();
        HeadParseStatus status = _whole.ParseHead(input);
        CheckComplete(_whole, status, input);
        if (input.Length < 2) return;

        _resumed.Reset();
        int split = 1 + (input[^1] % (input.Length - 1));
        HeadParseStatus first = _resumed.ParseHead(input[..split]);
        if (first == HeadParseStatus.Rejected)
        {
            FuzzBugException.Check(status == HeadParseStatus.Rejected, $"prefix of {split} rejected ({_resumed.Rejection}) but the whole is {status}");
            return;
        }
        if (first == HeadParseStatus.Complete)
        {
            FuzzBugException.Check(status == HeadParseStatus.Complete && _resumed.HeadLength == _whole.HeadLength,
                $"prefix of {split} complete at {_resumed.HeadLength}, the whole {status} at {_whole.HeadLength}");
            return;
        }
        HeadParseStatus second = _resumed.ParseHead(input);
        FuzzBugException.Check(second == status, $"resumed after {split} bytes: {second}, whole: {status}");
        if (status == HeadParseStatus.Complete)
        {
            FuzzBugException.Check(_resumed.HeadLength == _whole.HeadLength && _resumed.HeaderCount == _whole.HeaderCount
                && _resumed.TargetRange == _whole.TargetRange && _resumed.Method == _whole.Method,
                $"resumed after {split} bytes parsed another head");
        }
    }

    private static void CheckComplete(RequestHeadParser parser, HeadParseStatus status, ReadOnlySpan<byte> input)
    {
        if (status != HeadParseStatus.Complete) return;
        int length = parser.HeadLength;
        FuzzBugException.Check(length > 0 && length <= input.Length, $"head length {length} of {input.Length} bytes");
        Within(parser.MethodRange, length, "method");
        Within(parser.TargetRange, length, "target");
        Within(parser.PathRange, length, "path");
        Within(parser.QueryRange, length, "query");
        if (parser.HasHost) Within(parser.HostRange, length, "host");
        for (int i = 0; i < parser.HeaderCount; i++)
        {
            HeaderField field = parser.GetHeader(i);
            Within(field.NameRange, length, "header name");
            Within(field.ValueRange, length, "header value");
            FuzzBugException.Check(!field.NameRange.IsEmpty, $"header {i} has an empty name");
        }
        FuzzBugException.Check(parser.ContentLength >= -1, $"content length {parser.ContentLength}");
    }

    private static void Within(ByteRange range, int length, string what) =>
        FuzzBugException.Check(range.Start >= 0 && range.Length >= 0 && range.End <= length, $"{what} range {range} outside the {length}-byte head");
}
