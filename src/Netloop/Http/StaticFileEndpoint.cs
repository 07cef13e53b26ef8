using Netloop.Http.StaticFiles;

namespace Netloop.Http;

/// <summary>
/// Serves files under a root directory: the path rules of <see cref="StaticFileResolver"/> (no traversal, no escaping
/// symlinks, no hidden files, index.html for directories), validators and conditional requests (ETag, Last-Modified,
/// 304, 412), one byte range (206, 416), and the body through sendfile(2).
/// </summary>
internal sealed class StaticFileEndpoint(string root)
{
    private readonly StaticFileResolver _resolver = new(root);

    public ValueTask Serve(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        var head = request.Head;
        context.Route.TryGetRawValue("path", out var raw);
        var resolved = _resolver.Resolve(raw);
        if (!resolved.IsFound)
        {
            NotFound(response);
            return ValueTask.CompletedTask;
        }
        var file = resolved.File!;
        var headers = request.Headers;
        headers.TryGetRaw("If-None-Match"u8, out var ifNoneMatch);
        headers.TryGetRaw("If-Modified-Since"u8, out var ifModifiedSince);
        headers.TryGetRaw("If-Match"u8, out var ifMatch);
        headers.TryGetRaw("If-Unmodified-Since"u8, out var ifUnmodifiedSince);
        response.Headers["ETag"] = file.ETag;
        response.Headers["Last-Modified"] = HttpDate.Format(file.LastModified);
        response.Headers["Accept-Ranges"] = "bytes";
        var condition = Preconditions.Evaluate(head.Slice(head.MethodRange), ifNoneMatch, ifModifiedSince, ifMatch, ifUnmodifiedSince, file.ETagBytes, file.LastModified);
        if (condition == ConditionalResult.NotModified)
        {
            response.StatusCode = 304;
            return ValueTask.CompletedTask;
        }
        if (condition == ConditionalResult.PreconditionFailed)
        {
            response.StatusCode = 412;
            return ValueTask.CompletedTask;
        }

        Microsoft.Win32.SafeHandles.SafeFileHandle handle;
        long length;
        try
        {
            handle = File.OpenHandle(file.FullPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            // The file may have changed since it was looked up; the open handle's length is the one that will be sent.
            length = RandomAccess.GetLength(handle);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            NotFound(response);
            return ValueTask.CompletedTask;
        }

        response.ContentType = file.ContentType;
        headers.TryGetRaw("Range"u8, out var rangeHeader);
        headers.TryGetRaw("If-Range"u8, out var ifRange);
        // RFC 9110 §14.2: only GET honours Range; HEAD describes the full representation.
        var range = head.IsHead ? RangeResult.Full : ByteRanges.ParseRange(rangeHeader, length, ifRange, file.ETagBytes, file.LastModified);
        switch (range.Kind)
        {
            case RangeResultKind.Unsatisfiable:
                handle.Dispose();
                response.StatusCode = 416;
                response.Headers["Content-Range"] = ByteRanges.FormatContentRange(range, length);
                return ValueTask.CompletedTask;
            case RangeResultKind.Partial:
                response.StatusCode = 206;
                response.Headers["Content-Range"] = ByteRanges.FormatContentRange(range, length);
                response.SendFile(handle, range.Offset, range.Length);
                return ValueTask.CompletedTask;
            default:
                response.SendFile(handle, 0, length);
                return ValueTask.CompletedTask;
        }
    }

    private static void NotFound(HttpResponse response)
    {
        // Only the validators this endpoint set go: what a middleware set (CORS, security headers) stays, as on any other 404.
        response.Headers.Remove("ETag");
        response.Headers.Remove("Last-Modified");
        response.Headers.Remove("Accept-Ranges");
        response.StatusCode = 404;
        response.ContentType = "text/plain; charset=utf-8";
        response.Write("Not Found\n"u8);
    }
}
