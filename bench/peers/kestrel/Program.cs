// Minimal Kestrel app for `netloop bench`: the same endpoints as `netloop serve --protocol http`.
// Usage: dotnet KestrelPeer.dll --urls http://127.0.0.1:8081
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, PeerJsonContext.Default));
var app = builder.Build();
app.MapGet("/plaintext", () => Results.Text("Hello, World!"));
app.MapGet("/json", () => new Message("Hello, World!"));
app.MapGet("/health", () => Results.Text("ok"));
app.Run();

internal sealed record Message(string message);

[JsonSerializable(typeof(Message))]
internal sealed partial class PeerJsonContext : JsonSerializerContext;
