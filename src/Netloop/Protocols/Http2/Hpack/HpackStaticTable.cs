namespace Netloop.Protocols.Http2.Hpack;

/// <summary>
/// The HPACK static table, RFC 7541 Appendix A: 61 fixed entries at indexes 1-61, shared by every connection. Index 0
/// is not an entry (§6.1: it is a decoding error); the dynamic table follows at 62.
/// </summary>
internal static class HpackStaticTable
{
    public const int Count = 61;

    private readonly record struct Entry(byte[] Name, byte[] Value);

    // Index i lives at [i - 1].
    private static readonly Entry[] s_entries =
    [
        new(":authority"u8.ToArray(), ""u8.ToArray()), // 1
        new(":method"u8.ToArray(), "GET"u8.ToArray()), // 2
        new(":method"u8.ToArray(), "POST"u8.ToArray()), // 3
        new(":path"u8.ToArray(), "/"u8.ToArray()), // 4
        new(":path"u8.ToArray(), "/index.html"u8.ToArray()), // 5
        new(":scheme"u8.ToArray(), "http"u8.ToArray()), // 6
        new(":scheme"u8.ToArray(), "https"u8.ToArray()), // 7
        new(":status"u8.ToArray(), "200"u8.ToArray()), // 8
        new(":status"u8.ToArray(), "204"u8.ToArray()), // 9
        new(":status"u8.ToArray(), "206"u8.ToArray()), // 10
        new(":status"u8.ToArray(), "304"u8.ToArray()), // 11
        new(":status"u8.ToArray(), "400"u8.ToArray()), // 12
        new(":status"u8.ToArray(), "404"u8.ToArray()), // 13
        new(":status"u8.ToArray(), "500"u8.ToArray()), // 14
        new("accept-charset"u8.ToArray(), ""u8.ToArray()), // 15
        new("accept-encoding"u8.ToArray(), "gzip, deflate"u8.ToArray()), // 16
        new("accept-language"u8.ToArray(), ""u8.ToArray()), // 17
        new("accept-ranges"u8.ToArray(), ""u8.ToArray()), // 18
        new("accept"u8.ToArray(), ""u8.ToArray()), // 19
        new("access-control-allow-origin"u8.ToArray(), ""u8.ToArray()), // 20
        new("age"u8.ToArray(), ""u8.ToArray()), // 21
        new("allow"u8.ToArray(), ""u8.ToArray()), // 22
        new("authorization"u8.ToArray(), ""u8.ToArray()), // 23
        new("cache-control"u8.ToArray(), ""u8.ToArray()), // 24
        new("content-disposition"u8.ToArray(), ""u8.ToArray()), // 25
        new("content-encoding"u8.ToArray(), ""u8.ToArray()), // 26
        new("content-language"u8.ToArray(), ""u8.ToArray()), // 27
        new("content-length"u8.ToArray(), ""u8.ToArray()), // 28
        new("content-location"u8.ToArray(), ""u8.ToArray()), // 29
        new("content-range"u8.ToArray(), ""u8.ToArray()), // 30
        new("content-type"u8.ToArray(), ""u8.ToArray()), // 31
        new("cookie"u8.ToArray(), ""u8.ToArray()), // 32
        new("date"u8.ToArray(), ""u8.ToArray()), // 33
        new("etag"u8.ToArray(), ""u8.ToArray()), // 34
        new("expect"u8.ToArray(), ""u8.ToArray()), // 35
        new("expires"u8.ToArray(), ""u8.ToArray()), // 36
        new("from"u8.ToArray(), ""u8.ToArray()), // 37
        new("host"u8.ToArray(), ""u8.ToArray()), // 38
        new("if-match"u8.ToArray(), ""u8.ToArray()), // 39
        new("if-modified-since"u8.ToArray(), ""u8.ToArray()), // 40
        new("if-none-match"u8.ToArray(), ""u8.ToArray()), // 41
        new("if-range"u8.ToArray(), ""u8.ToArray()), // 42
        new("if-unmodified-since"u8.ToArray(), ""u8.ToArray()), // 43
        new("last-modified"u8.ToArray(), ""u8.ToArray()), // 44
        new("link"u8.ToArray(), ""u8.ToArray()), // 45
        new("location"u8.ToArray(), ""u8.ToArray()), // 46
        new("max-forwards"u8.ToArray(), ""u8.ToArray()), // 47
        new("proxy-authenticate"u8.ToArray(), ""u8.ToArray()), // 48
        new("proxy-authorization"u8.ToArray(), ""u8.ToArray()), // 49
        new("range"u8.ToArray(), ""u8.ToArray()), // 50
        new("referer"u8.ToArray(), ""u8.ToArray()), // 51
        new("refresh"u8.ToArray(), ""u8.ToArray()), // 52
        new("retry-after"u8.ToArray(), ""u8.ToArray()), // 53
        new("server"u8.ToArray(), ""u8.ToArray()), // 54
        new("set-cookie"u8.ToArray(), ""u8.ToArray()), // 55
        new("strict-transport-security"u8.ToArray(), ""u8.ToArray()), // 56
        new("transfer-encoding"u8.ToArray(), ""u8.ToArray()), // 57
        new("user-agent"u8.ToArray(), ""u8.ToArray()), // 58
        new("vary"u8.ToArray(), ""u8.ToArray()), // 59
        new("via"u8.ToArray(), ""u8.ToArray()), // 60
        new("www-authenticate"u8.ToArray(), ""u8.ToArray()), // 61
    ];

    public static ReadOnlySpan<byte> Name(int index) => s_entries[index - 1].Name;

    public static ReadOnlySpan<byte> Value(int index) => s_entries[index - 1].Value;

    /// <summary>
    /// The index of the entry equal to <paramref name="name"/> and <paramref name="value"/>, or 0; and in
    /// <paramref name="nameIndex"/> the lowest index with that name, or 0. Equal names sit next to each other
    /// (:method, :path, :scheme, :status), so the first name hit is the lowest.
    /// </summary>
    public static int Find(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, out int nameIndex)
    {
        nameIndex = 0;
        var entries = s_entries;
        for (int i = 0; i < entries.Length; i++)
        {
            var entry = entries[i];
            if (entry.Name.Length != name.Length || !name.SequenceEqual(entry.Name))
            {
                if (nameIndex != 0) break; // past the run of this name
                continue;
            }
            if (nameIndex == 0) nameIndex = i + 1;
            if (value.SequenceEqual(entry.Value)) return i + 1;
        }
        return 0;
    }
}
