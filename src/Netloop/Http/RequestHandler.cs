namespace Netloop.Http;

/// <summary>Serves one request. Runs on the connection's loop thread; await freely (continuations come back to the same connection), but do not block.</summary>
public delegate ValueTask RequestHandler(HttpContext context);
