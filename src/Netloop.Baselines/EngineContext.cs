using Microsoft.Extensions.Logging;
using Netloop.Server;
using Netloop.Transport;

namespace Netloop.Baselines;

/// <summary>What every baseline or async engine is made with.</summary>
/// <param name="Mode">The mode served (its name appears in logs).</param>
/// <param name="Options">The server's settings (address, port, limits, timeouts).</param>
/// <param name="Baselines">The async designs' own knobs.</param>
/// <param name="Loggers">Where the engine logs.</param>
/// <param name="Limit">The serve limit, shared with the server that waits on it.</param>
internal sealed record EngineContext(ServerMode Mode, ServerOptions Options, BaselineOptions Baselines, ILoggerFactory Loggers, ServeLimit Limit);
