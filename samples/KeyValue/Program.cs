using KeyValue;
using Netloop.Server;

// A line-based key-value server on Netloop's reactor: the same builder as an HTTP app (configuration, console logging,
// --port, SIGTERM), with a protocol of our own instead of HTTP.
var builder = NetloopServer.CreateBuilder(args);
var server = builder.BuildServer(new KeyValueProtocol(new KeyValueStore()));
await server.RunAsync();
