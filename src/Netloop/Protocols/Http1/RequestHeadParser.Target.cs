using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>Method recognition and the forms of request-target (RFC 9112 §3.1, §3.2).</summary>
internal sealed partial class RequestHeadParser
{
    private static RequestMethod ClassifyMethod(ReadOnlySpan<byte> method) => method.Length switch
    {
        3 when method.SequenceEqual("GET"u8) => RequestMethod.Get,
        3 when method.SequenceEqual("PUT"u8) => RequestMethod.Put,
        4 when method.SequenceEqual("POST"u8) => RequestMethod.Post,
        4 when method.SequenceEqual("HEAD"u8) => RequestMethod.Head,
        5 when method.SequenceEqual("PATCH"u8) => RequestMethod.Patch,
        5 when method.SequenceEqual("TRACE"u8) => RequestMethod.Trace,
        6 when method.SequenceEqual("DELETE"u8) => RequestMethod.Delete,
        7 when method.SequenceEqual("OPTIONS"u8) => RequestMethod.Options,
        7 when method.SequenceEqual("CONNECT"u8) => RequestMethod.Connect,
        _ => RequestMethod.Custom,
    };

    /// <summary>Decides the target's form, checks it is allowed for the method, and finds path and query.</summary>
    private bool ClassifyTarget(ReadOnlySpan<byte> data)
    {
        int start = _targetRange.Start;
        var target = _targetRange.Of(data);
        var empty = new ByteRange(_targetRange.End, 0);

        if (_method == RequestMethod.Connect)
        {
            // RFC 9110 §9.3.6, RFC 9112 §3.2.3: CONNECT takes the authority-form, host ":" port, and nothing else.
            if (!HttpCharacters.IsValidAuthority(target, requireHost: true, requirePort: true)) return false;
            _targetForm = RequestTargetForm.Authority;
            _pathRange = empty;
            _queryRange = empty;
            return true;
        }
        if (target[0] == '/')
        {
            _targetForm = RequestTargetForm.Origin;
            SplitPathAndQuery(start, target);
            return true;
        }
        if (target[0] == '*')
        {
            // RFC 9112 §3.2.4: the asterisk-form is only for a server-wide OPTIONS, and is the whole target.
            if (target.Length != 1 || _method != RequestMethod.Options) return false;
            _targetForm = RequestTargetForm.Asterisk;
            _pathRange = _targetRange;
            _queryRange = empty;
            return true;
        }

        // absolute-form (RFC 9112 §3.2.2): scheme "://" authority path-abempty [ "?" query ]. The "//" is required:
        // without it "host:80" would read as scheme "host", and every URI a server can be asked for has an authority.
        int colon = target.IndexOf((byte)':');
        if (colon < 1 || !IsAsciiLetter(target[0]) || target[1..colon].IndexOfAnyExcept(HttpCharacters.Scheme) >= 0) return false;
        if (!target[colon..].StartsWith("://"u8)) return false;
        int authorityStart = colon + 3;
        int authorityLength = target[authorityStart..].IndexOfAny((byte)'/', (byte)'?');
        if (authorityLength < 0) authorityLength = target.Length - authorityStart;
        if (!HttpCharacters.IsValidAuthority(target.Slice(authorityStart, authorityLength), requireHost: true, requirePort: false)) return false;
        _targetForm = RequestTargetForm.Absolute;
        int pathStart = authorityStart + authorityLength;
        SplitPathAndQuery(start + pathStart, target[pathStart..]);
        return true;
    }

    private void SplitPathAndQuery(int start, ReadOnlySpan<byte> pathAndQuery)
    {
        int question = pathAndQuery.IndexOf((byte)'?');
        if (question < 0)
        {
            _pathRange = new ByteRange(start, pathAndQuery.Length);
            _queryRange = new ByteRange(start + pathAndQuery.Length, 0);
        }
        else
        {
            _pathRange = new ByteRange(start, question);
            _queryRange = new ByteRange(start + question + 1, pathAndQuery.Length - question - 1);
        }
    }

    /// <summary>
    /// Checks the target bytes that arrived since the last call, [<see cref="_pos"/>, <paramref name="scanEnd"/>), up to
    /// the query: false at a backslash or a "%00" (which may straddle two calls, so the two bytes before are looked at
    /// again). The query is the application's data and is left alone: browsers send a backslash there as it is.
    /// </summary>
    private bool CheckPathBytes(ReadOnlySpan<byte> data, int targetStart, int scanEnd)
    {
        if (_targetQueryStart >= 0) return true;
        var arrived = data[_pos..scanEnd];
        int question = arrived.IndexOf((byte)'?');
        int pathEnd = question < 0 ? scanEnd : _pos + question;
        if (data[_pos..pathEnd].Contains((byte)'\\')) return false;
        if (data[Math.Max(targetStart, _pos - 2)..pathEnd].IndexOf("%00"u8) >= 0) return false;
        if (question >= 0) _targetQueryStart = pathEnd;
        return true;
    }

    private static bool IsAsciiLetter(byte b) => (uint)((b | 0x20) - 'a') <= 'z' - 'a';
}
