// Minimal Kestrel app for `netloop bench`: the same endpoints as `netloop serve --protocol http`.
// Usage: dotnet KestrelPeer.dll --urls http://127.0.0.1:8081
// HTTPS: --urls https://127.0.0.1:8443 --Kestrel:Certificates:Default:Path=cert.pem --Kestrel:Certificates:Default:KeyPath=key.pem
// (the PEM files the bench gives every server; HTTP/1.1 and h2 by ALPN).
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
// The slim builder leaves out https:// addresses and the Kestrel:Certificates configuration; the TLS cases need both.
builder.WebHost.UseKestrelHttpsConfiguration();
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJsonContext.Default));
var app = builder.Build();
app.MapGet("/plaintext", () => Results.Text("Hello, World!"));
app.MapGet("/json", () => new Message("Hello, World!"));
app.MapGet("/health", () => Results.Text("ok"));
// SIGUSR2 (12) prints the managed bytes the process has allocated, in the line `netloop serve` prints, so the bench can
// report Kestrel's bytes per request beside Netloop's.
using var stats = PosixSignalRegistration.Create((PosixSignal)12, context =>
{
    context.Cancel = true;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"stats: allocated-bytes={GC.GetTotalAllocatedBytes(precise: true)}"));
});
app.Run();

internal sealed record Message(string message);

[JsonSerializable(typeof(Message))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
