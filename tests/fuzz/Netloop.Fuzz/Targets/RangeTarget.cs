using System.Buffers.Binary;
using Netloop.Http.StaticFiles;

namespace Netloop.Fuzz;

/// <summary>
/// Range requests (<see cref="ByteRanges.ParseRange"/>, with If-Range through <see cref="HttpDate"/> and entity-tags):
/// the input is a Range value, then optionally a NUL, an If-Range value, a NUL and a file length (up to 8 bytes, big
/// endian; 1000 when absent). A partial result must lie inside the file and format as a Content-Range.
/// </summary>
internal sealed class RangeTarget : FuzzTarget
{
    private static readonly DateTimeOffset s_lastModified = new(2015, 10, 21, 7, 28, 0, TimeSpan.Zero);

    public override string Name => "range";

    public override string Description => "Range/If-Range parsing: the input is Range NUL If-Range NUL file-length";

    public override void Run(ReadOnlySpan<byte> input)
    {
        List<byte[]> parts = FuzzInput.SplitOnNul(input, 3);
        byte[] range = parts[0];
        byte[] ifRange = parts.Count > 1 ? parts[1] : [];
        long length = 1000;
        if (parts.Count > 2 && parts[2].Length > 0)
        {
            Span<byte> eight = stackalloc byte[8];
            byte[] raw = parts[2].Length > 8 ? parts[2][..8] : parts[2];
            raw.CopyTo(eight[(8 - raw.Length)..]);
            length = BinaryPrimitives.ReadInt64BigEndian(eight) & long.MaxValue;
        }

        RangeResult result = ByteRanges.ParseRange(range, length, ifRange, "\"xyzzy\""u8, s_lastModified);
        if (result.Kind == RangeResultKind.Full) return;
        if (result.Kind == RangeResultKind.Partial)
        {
            FuzzBugException.Check(result.Offset >= 0 && result.Length > 0 && result.Offset <= length - result.Length,
                $"{result} outside a file of {length} bytes");
        }
        Span<byte> destination = stackalloc byte[ByteRanges.MaxContentRangeLength];
        FuzzBugException.Check(ByteRanges.TryFormatContentRange(result, length, destination, out int written) && written > 0,
            $"{result} of {length} bytes did not format");
        FuzzBugException.Check(ByteRanges.FormatContentRange(result, length).Length == written, "the two Content-Range formats differ");

        if (HttpDate.TryParse(ifRange, out DateTimeOffset date))
        {
            FuzzBugException.Check(HttpDate.TryParse(HttpDate.Format(date), out DateTimeOffset again) && again == date, $"{date} did not round-trip");
        }
    }
}
