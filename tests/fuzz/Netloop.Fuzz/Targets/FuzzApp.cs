using Microsoft.Extensions.Logging.Abstractions;
using Netloop.Protocols.Http1;
using Netloop.Server;

namespace Netloop.Fuzz;

/// <summary>
/// The application the connection targets serve: routes that read the body, the query, the cookies and route values,
/// answer after an await (work posted to the connection), stream a response in pieces and write one larger than a
/// flow-control window, so that fuzzed requests reach the response and body paths, not only the parsers.
/// </summary>
internal static class FuzzApp
{
    private static readonly byte[] s_big = new byte[100_000];

    public static HttpProtocolFactory Protocol { get; } = Build().Protocol;

    private static NetloopApp Build()
    {
        var builder = NetloopServer.CreateBuilder([]);
        builder.LoggerFactory = NullLoggerFactory.Instance;
        var app = builder.Build();
        app.MapGet("/", c => c.Response.WriteText("hello"));
        app.MapPost("/echo", async c => c.Response.Write(await c.Request.Body.ReadAllAsync()));
        app.MapPut("/discard", c => { });
        app.MapGet("/users/{id:int}", c => c.Response.WriteText($"user {c.Route["id"]}"));
        app.MapGet("/files/{*path}", c => c.Response.WriteText(c.Request.Path));
        app.MapGet("/query", c => c.Response.WriteText(string.Join(',', c.Request.Query.Select(p => p.Key + "=" + p.Value))));
        app.MapGet("/cookies", c => c.Response.WriteText(string.Join(',', c.Request.Cookies.Select(p => p.Key + "=" + p.Value))));
        app.MapGet("/headers", c => c.Response.WriteText(string.Join(',', c.Request.Headers.Select(p => p.Key))));
        app.MapGet("/big", c => c.Response.Write(s_big));
        app.MapGet("/stream", async c =>
        {
            for (int i = 0; i < 3; i++)
            {
                await Task.Yield();
                c.Response.WriteText($"part {i}\n");
            }
        });
        app.MapPost("/half", async c =>
        {
            var buffer = new byte[10];
            int n = await c.Request.Body.ReadAsync(buffer);
            c.Response.Write(buffer.AsSpan(0, n).ToArray());
        });
        return app;
    }
}
