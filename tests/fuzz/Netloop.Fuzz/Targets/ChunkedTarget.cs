using Netloop.Protocols.Http1;

namespace Netloop.Fuzz;

/// <summary>
/// <see cref="ChunkedDecoder"/> on the input as a chunked body, once in one piece and once in small steps: both must
/// decode the same body bytes to the same end, and every range it reports must lie in what it was given.
/// </summary>
internal sealed class ChunkedTarget : FuzzTarget
{
    private static readonly HttpLimits s_limits = new();

    public override string Name => "chunked";

    public override string Description => "ChunkedDecoder: the input is a chunked message body (chunks, last chunk, trailers)";

    public override void Run(ReadOnlySpan<byte> input)
    {
        var (status, body, rejection) = Decode(input, int.MaxValue);
        var (stepStatus, stepBody, stepRejection) = Decode(input, FuzzInput.StepSize(input));
        FuzzBugException.Check(status == stepStatus && rejection == stepRejection,
            $"in one piece {status} {rejection}, in steps {stepStatus} {stepRejection}");
        FuzzBugException.Check(body.AsSpan().SequenceEqual(stepBody), "in steps decoded another body");
    }

    private static (ChunkedStatus Status, byte[] Body, RequestRejection Rejection) Decode(ReadOnlySpan<byte> input, int step)
    {
        var decoder = new ChunkedDecoder(s_limits);
        var body = new List<byte>();
        // As the connection does: unconsumed bytes stay ahead of the next ones; `available` is what has arrived so far.
        int position = 0;
        int available = Math.Min(step, input.Length);
        while (true)
        {
            ReadOnlySpan<byte> offered = input[position..available];
            ChunkedStatus status = decoder.Decode(offered, out int consumed, out int dataOffset, out int dataLength);
            FuzzBugException.Check(consumed >= 0 && consumed <= offered.Length, $"consumed {consumed} of {offered.Length}");
            if (status == ChunkedStatus.Data)
            {
                FuzzBugException.Check(dataLength > 0 && dataOffset >= 0 && dataOffset + dataLength == consumed,
                    $"data {dataOffset}+{dataLength}, consumed {consumed}");
                body.AddRange(offered.Slice(dataOffset, dataLength));
            }
            else if (status == ChunkedStatus.NeedMoreData)
            {
                FuzzBugException.Check(consumed == offered.Length, $"needs more having consumed {consumed} of {offered.Length}");
            }
            else
            {
                if (status == ChunkedStatus.Done) FuzzBugException.Check(decoder.BodyLength == body.Count, $"body length {decoder.BodyLength}, {body.Count} bytes seen");
                return (status, body.ToArray(), decoder.Rejection);
            }
            position += consumed;
            if (position == available)
            {
                if (available == input.Length) return (ChunkedStatus.NeedMoreData, body.ToArray(), decoder.Rejection);
                available = (int)Math.Min((long)available + step, input.Length);
            }
        }
    }
}
