namespace Netloop.Http.StaticFiles;

/// <summary>
/// Entity-tag comparison (RFC 9110 §8.8.3): <c>entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE</c>.
/// </summary>
internal static class EntityTag
{
    /// <summary>
    /// Whether <paramref name="list"/> (an <c>If-Match</c> / <c>If-None-Match</c> value: <c>*</c> or a comma-separated
    /// list of entity-tags) contains a tag equal to <paramref name="current"/>. Strong comparison needs both tags
    /// strong; weak comparison ignores <c>W/</c>. Elements that are not entity-tags are skipped.
    /// </summary>
    public static bool ListContains(ReadOnlySpan<byte> list, ReadOnlySpan<byte> current, bool weak)
    {
        if (!TryRead(current, out ReadOnlySpan<byte> currentTag, out bool currentWeak, out _)) return false;
        if (!weak && currentWeak) return false;
        while (!list.IsEmpty)
        {
            list = list.TrimStart(" \t,"u8);
            if (list.IsEmpty) break;
            if (TryRead(list, out ReadOnlySpan<byte> tag, out bool isWeak, out int used))
            {
                if ((weak || !isWeak) && tag.SequenceEqual(currentTag)) return true;
                list = list[used..];
            }
            else
            {
                int comma = list.IndexOf((byte)',');
                list = comma < 0 ? default : list[(comma + 1)..];
            }
        }
        return false;
    }

    /// <summary>True if the trimmed value is exactly <c>*</c>.</summary>
    public static bool IsAny(ReadOnlySpan<byte> value) => value.Trim(" \t"u8).SequenceEqual("*"u8);

    /// <summary>Reads one entity-tag at the start of <paramref name="s"/>; <paramref name="tag"/> excludes the quotes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> s, out ReadOnlySpan<byte> tag, out bool weak, out int used)
    {
        tag = default;
        used = 0;
        weak = s.StartsWith("W/"u8);
        int open = weak ? 2 : 0;
        if (s.Length < open + 2 || s[open] != '"') return false;
        int close = s[(open + 1)..].IndexOf((byte)'"');
        if (close < 0) return false;
        tag = s.Slice(open + 1, close);
        foreach (byte b in tag)
        {
            // etagc = %x21 / %x23-7E / obs-text
            if (b < 0x21 || b == 0x7F) return false;
        }
        used = open + close + 2;
        return true;
    }
}
