using System.Text;

namespace Netloop.Http;

/// <summary>
/// A request's line and headers, copied out of the receive buffer into memory the request owns (reused from request to
/// request on the same connection), so a handler may read them after an await. Strings are made only when asked for.
/// </summary>
internal sealed class RequestHead
{
    private byte[] _bytes = new byte[1024];
    private FieldRange[] _headers = new FieldRange[16];
    private int _length;

    public int HeaderCount { get; private set; }

    public string Method { get; set; } = "GET";

    /// <summary>True for HEAD: the response carries the headers a GET would, and no body.</summary>
    public bool IsHead { get; set; }

    public (int Start, int Length) MethodRange { get; set; }

    public (int Start, int Length) TargetRange { get; set; }

    public RequestTargetForm TargetForm { get; set; }

    public (int Start, int Length) PathRange { get; set; }

    public (int Start, int Length) QueryRange { get; set; }

    public bool IsHttp11 { get; set; }

    /// <summary>The request came on an HTTP/2 stream (its head was decoded from HPACK, not parsed from text).</summary>
    public bool IsHttp2 { get; set; }

    public long ContentLength { get; set; } = -1;

    public bool IsChunked { get; set; }

    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Copies <paramref name="head"/> in, growing the buffer if needed; ranges set afterwards refer to it.</summary>
    public void Load(ReadOnlySpan<byte> head)
    {
        if (_bytes.Length < head.Length) _bytes = new byte[Math.Max(head.Length, _bytes.Length * 2)];
        head.CopyTo(_bytes);
        _length = head.Length;
        HeaderCount = 0;
    }

    /// <summary>Starts an empty head to be built field by field (<see cref="Append"/>), as HTTP/2 delivers it.</summary>
    public void Clear()
    {
        _length = 0;
        HeaderCount = 0;
    }

    /// <summary>Appends <paramref name="bytes"/> after what the head holds, growing the buffer if needed; returns where they start.</summary>
    public int Append(ReadOnlySpan<byte> bytes)
    {
        int start = _length;
        if (_bytes.Length - start < bytes.Length) Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, start + bytes.Length));
        bytes.CopyTo(_bytes.AsSpan(start));
        _length = start + bytes.Length;
        return start;
    }

    public void AddHeader(int nameStart, int nameLength, int valueStart, int valueLength)
    {
        if (HeaderCount == _headers.Length) Array.Resize(ref _headers, _headers.Length * 2);
        _headers[HeaderCount++] = new FieldRange(nameStart, nameLength, valueStart, valueLength);
    }

    public ReadOnlySpan<byte> Slice((int Start, int Length) range) => _bytes.AsSpan(range.Start, range.Length);

    public ReadOnlySpan<byte> HeaderName(int index) => _bytes.AsSpan(_headers[index].NameStart, _headers[index].NameLength);

    public ReadOnlySpan<byte> HeaderValue(int index) => _bytes.AsSpan(_headers[index].ValueStart, _headers[index].ValueLength);

    /// <summary>The first header with this name (ASCII, case-insensitive), or an empty span with false.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < HeaderCount; i++)
        {
            if (Ascii.EqualsIgnoreCase(HeaderName(i), name))
            {
                value = HeaderValue(i);
                return true;
            }
        }
        value = default;
        return false;
    }

    /// <summary>The index of the next field named <paramref name="name"/> at or after <paramref name="start"/>, or -1.</summary>
    public int IndexOfHeader(ReadOnlySpan<byte> name, int start)
    {
        for (int i = start; i < HeaderCount; i++)
        {
            if (Ascii.EqualsIgnoreCase(HeaderName(i), name)) return i;
        }
        return -1;
    }

    private readonly record struct FieldRange(int NameStart, int NameLength, int ValueStart, int ValueLength);
}
