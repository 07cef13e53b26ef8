using Netloop.Http;

namespace Netloop.Tests.Protocols.Http2.Support;

/// <summary>
/// The app the frame tests talk to: <c>/</c> answers "hello"; <c>/echo</c> reads the whole body and sends it back (its
/// stream stays open while the client has not ended it); <c>/big</c> sends 100 bytes (for send-window tests);
/// <c>/hold</c> waits for <see cref="Release"/> (a stream the client ended but the server has not answered yet).
/// </summary>
internal sealed class H2TestApp
{
    public static readonly byte[] BigBody = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789", 10)));

    private readonly TaskCompletionSource _gate = new();

    public int Requests { get; private set; }

    public void Release() => _gate.TrySetResult();

    public async ValueTask Handle(HttpContext context)
    {
        Requests++;
        switch (context.Request.Path)
        {
            case "/echo":
                byte[] body = await context.Request.Body.ReadAllAsync();
                context.Response.Write(body);
                break;
            case "/big":
                context.Response.Write(BigBody);
                break;
            case "/hold":
                await _gate.Task;
                context.Response.WriteText("held");
                break;
            default:
                context.Response.WriteText("hello");
                break;
        }
    }
}
