using System.Buffers;
using System.Buffers.Text;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Netloop.Http;

namespace Netloop.Protocols.Http1;

/// <summary>
/// Writing responses: pre-encoded status lines and fixed headers, a cached Date line, Content-Length when the body is
/// known, chunked coding when it streams (close-delimited for HTTP/1.0), no body for HEAD, 1xx, 204 and 304.
/// </summary>
internal sealed partial class Http1Connection
{
    private bool _chunkedResponse;

    private void ResetResponse() => _chunkedResponse = false;

    private bool IsHeadRequest => _context!.Head.IsHead;

    /// <summary>Writes the buffered response, or ends a streamed one.</summary>
    private void WriteResponse()
    {
        MoveTo(RequestState.Answered);
        var response = _context!.Response;
        if (response.SentFile)
        {
            response.SendDeferredFile();
            return;
        }
        if (response.HasStarted)
        {
            response.FlushStreamed();
            if (_chunkedResponse && !IsHeadRequest && BodyAllowed(response.StatusCode)) WriteLastChunk(response);
            if (!_chunkedResponse) _keepAlive = false; // the end of a close-delimited body is the close
            _connection.Flush();
            return;
        }
        var body = response.BufferedBody;
        if (response.HasTrailers && CanCarryTrailers)
        {
            // Trailers need the chunked coding's trailer section: the known length is given up for them.
            _chunkedResponse = true;
            WriteHead(response, -1, chunked: true);
            if (!body.IsEmpty) WriteChunk(body);
            WriteLastChunk(response);
            return;
        }
        WriteHead(response, body.Length, chunked: false);
        if (!IsHeadRequest && BodyAllowed(response.StatusCode)) WriteBytes(body);
    }

    /// <summary>
    /// RFC 9112 §7.1.2: the trailer section follows the last chunk, for a client that said it accepts one (TE: trailers,
    /// RFC 9110 §10.1.4) of a response whose body is chunked or can still become so.
    /// </summary>
    private bool CanCarryTrailers
    {
        get
        {
            var context = _context;
            // A connection closing under the handler still "supports" them: appending is harmless, and throwing would turn
            // a client that went away into a logged server error.
            if (context is null || !context.Head.IsHttp11 || IsHeadRequest) return false;
            var response = context.Response;
            if (!BodyAllowed(response.StatusCode) || response.SentFile || (response.HasStarted && !_chunkedResponse)) return false;
            return AcceptsTrailers(context.Head);
        }
    }

    private static bool AcceptsTrailers(RequestHead head)
    {
        for (int i = head.IndexOfHeader("te"u8, 0); i >= 0; i = head.IndexOfHeader("te"u8, i + 1))
        {
            if (CommaList.Contains(head.HeaderValue(i), "trailers"u8)) return true;
        }
        return false;
    }

    bool IHttpExchange.SupportsTrailers => CanCarryTrailers;

    bool IHttpExchange.ResponseCompleted => _state == RequestState.Answered;

    /// <summary>The last chunk, then the trailer fields if the response has any (and a client that takes them), then the end.</summary>
    private void WriteLastChunk(HttpResponse response)
    {
        WriteBytes("0\r\n"u8);
        if (response.HasTrailers && AcceptsTrailers(_context!.Head))
        {
            foreach (var field in response.Trailers)
            {
                WriteLatin1(field.Key);
                WriteBytes(": "u8);
                WriteLatin1(field.Value);
                WriteBytes("\r\n"u8);
            }
        }
        WriteBytes("\r\n"u8);
    }

    private void WriteChunk(ReadOnlySpan<byte> data)
    {
        var span = _connection.Output.GetSpan(18);
        Utf8Formatter.TryFormat((uint)data.Length, span, out int n, new System.Buffers.StandardFormat('X'));
        "\r\n"u8.CopyTo(span[n..]);
        _connection.Output.Advance(n + 2);
        WriteBytes(data);
        WriteBytes("\r\n"u8);
    }

    void IHttpExchange.StartStreaming()
    {
        ThrowIfOffTurn();
        var response = _context!.Response;
        _chunkedResponse = _context.Head.IsHttp11;
        if (!_chunkedResponse) _keepAlive = false;
        WriteHead(response, -1, chunked: _chunkedResponse);
        response.FlushStreamed();
        _connection.Flush();
    }

    void IHttpExchange.WriteStreamed(ReadOnlySpan<byte> data)
    {
        ThrowIfOffTurn();
        if (data.IsEmpty || IsClosing || IsHeadRequest || !BodyAllowed(_context!.Response.StatusCode)) return;
        if (_chunkedResponse)
        {
            WriteChunk(data);
        }
        else
        {
            WriteBytes(data);
        }
        _connection.Flush();
    }

    void IHttpExchange.SendFile(SafeFileHandle file, long offset, long length)
    {
        if (!OnTurn)
        {
            file.Dispose();
            ThrowIfOffTurn();
        }
        var response = _context!.Response;
        if (IsClosing)
        {
            file.Dispose();
            return;
        }
        WriteHead(response, length, chunked: false);
        if (IsHeadRequest || !BodyAllowed(response.StatusCode)) file.Dispose();
        else _connection.SendFile(file, offset, length);
        _connection.Flush();
    }

    private void WriteHead(HttpResponse response, long contentLength, bool chunked)
    {
        int status = response.StatusCode;
        WriteBytes(StatusLines.For(status));
        WriteBytes("Server: netloop\r\n"u8);
        WriteBytes(HttpDateCache.Line(_connection.Clock));
        if (response.ContentType is { } contentType)
        {
            WriteBytes("Content-Type: "u8);
            WriteLatin1(contentType);
            WriteBytes("\r\n"u8);
        }
        if (status >= 200 && status != 204 && status != 304)
        {
            if (chunked)
            {
                WriteBytes("Transfer-Encoding: chunked\r\n"u8);
            }
            else if (contentLength >= 0)
            {
                WriteBytes("Content-Length: "u8);
                WriteDecimal(contentLength);
                WriteBytes("\r\n"u8);
            }
        }
        // A stopping server answers at a request boundary (RFC 9112 §9.6): the client knows not to send another request.
        if (ServerDraining) _keepAlive = false;
        if (!_keepAlive) WriteBytes("Connection: close\r\n"u8);
        else if (!_context!.Head.IsHttp11) WriteBytes("Connection: keep-alive\r\n"u8);
        foreach (var field in response.Headers.Fields)
        {
            WriteLatin1(field.Key);
            WriteBytes(": "u8);
            WriteLatin1(field.Value);
            WriteBytes("\r\n"u8);
        }
        WriteBytes("\r\n"u8);
    }

    /// <summary>Answers a refused request with its status and a one-line reason, and closes (RFC 9112 §9.6).</summary>
    private void Reject(RequestRejection rejection)
    {
        if (IsClosing) return;
        int status = RequestRejections.StatusCode(rejection);
        string reason = RequestRejections.Reason(rejection);
        _factory.Logger.LogDebug("connection {Id}: request rejected with {Status}: {Reason}", _connection.Id, status, reason);
        WriteBytes(StatusLines.For(status));
        WriteBytes("Server: netloop\r\n"u8);
        WriteBytes(HttpDateCache.Line(_connection.Clock));
        WriteBytes("Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: "u8);
        WriteDecimal(Encoding.Latin1.GetByteCount(reason) + 1); // the body is written as Latin-1 below, plus "\n"
        WriteBytes("\r\n\r\n"u8);
        WriteLatin1(reason);
        WriteBytes("\n"u8);
        CloseConnection();
    }

    /// <summary>
    /// An HTTP/2 client preface on a server that speaks HTTP/1.1 only: answer in HTTP/2 (RFC 9113 §3.4: a SETTINGS frame
    /// as the server preface) and refuse with GOAWAY(HTTP_1_1_REQUIRED), so the client knows to retry over HTTP/1.1.
    /// </summary>
    private void RefuseHttp2()
    {
        WriteBytes([0, 0, 0, 0x4, 0, 0, 0, 0, 0]); // SETTINGS, empty
        WriteBytes([0, 0, 8, 0x7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xd]); // GOAWAY, last stream 0, HTTP_1_1_REQUIRED
        CloseConnection();
    }

    /// <summary>
    /// Output goes to the connection only from its own turns. Handler code that escaped them (ConfigureAwait(false)
    /// before streaming) is refused loudly rather than allowed to race the event loop and corrupt the stream.
    /// </summary>
    private void ThrowIfOffTurn()
    {
        if (!OnTurn)
        {
            throw new InvalidOperationException(
                "the response was written from a thread that is not its connection's (ConfigureAwait(false) in a handler?); "
                + "stay on the connection's context, or buffer the response, or use --handler-threads for blocking handlers");
        }
    }

    private static bool BodyAllowed(int status) => status >= 200 && status != 204 && status != 304;

    private void WriteBytes(ReadOnlySpan<byte> bytes) => _connection.Output.Write(bytes);

    private void WriteDecimal(long value)
    {
        var span = _connection.Output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int n);
        _connection.Output.Advance(n);
    }

    private void WriteLatin1(string text)
    {
        var span = _connection.Output.GetSpan(text.Length);
        int n = Encoding.Latin1.GetBytes(text, span);
        _connection.Output.Advance(n);
    }
}
