using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Netloop.Http;
using Netloop.Server;
using TodoApi;

// TodoApi: a small REST API on Netloop, in the manner of ASP.NET Core's minimal APIs.
// Settings come from appsettings.json beside the dll; --port N overrides its Port (0: any free port).
Settings settings;
try
{
    settings = Settings.Load(AppContext.BaseDirectory);
}
catch (InvalidDataException e)
{
    Console.Error.WriteLine($"todoapi: {e.Message}");
    return 1;
}

NetloopAppBuilder builder;
try
{
    builder = NetloopServer.CreateBuilder(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"todoapi: {e.Message}");
    return 1;
}
if (!args.Any(a => a == "--port" || a.StartsWith("--port=", StringComparison.Ordinal))) builder.Options.Port = settings.Port;
var app = builder.Build();
var todos = new TodoStore();
int maxTitle = settings.Todos.MaxTitleLength;

// Every response says how long the app took, in milliseconds (Server-Timing, W3C). The (ctx, next) shape with
// next(ctx) is the allocation-free one.
app.Use(async (ctx, next) =>
{
    long start = Stopwatch.GetTimestamp();
    await next(ctx);
    if (!ctx.Response.HasStarted)
    {
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        ctx.Response.Headers.Add("Server-Timing", string.Create(CultureInfo.InvariantCulture, $"app;dur={ms:0.###}"));
    }
});

// Errors without a body (404, 405, the 500 after an exception, a handler's own 4xx) get a JSON problem.
app.UseStatusCodePages(status =>
{
    status.HttpContext.Response.WriteJson(new Problem(status.StatusCode, ReasonPhrase(status.StatusCode)), TodoJson.Default.Problem);
    return ValueTask.CompletedTask;
});

var api = app.MapGroup("/api/todos");
api.MapGet("/", ctx => ctx.Response.WriteJson(todos.All(), TodoJson.Default.TodoArray));
api.MapGet("/{id:int}", ctx =>
{
    if (todos.Find(int.Parse(ctx.Route["id"]!, CultureInfo.InvariantCulture)) is { } todo) ctx.Response.WriteJson(todo, TodoJson.Default.Todo);
    else ctx.Response.StatusCode = 404;
});
api.MapPost("/", async ctx =>
{
    if (await ReadTodoAsync(ctx) is not { } input) return;
    var todo = todos.Add(input.Title!);
    ctx.Response.StatusCode = 201;
    ctx.Response.Headers.Add("Location", $"/api/todos/{todo.Id}");
    ctx.Response.WriteJson(todo, TodoJson.Default.Todo);
});
api.MapPut("/{id:int}", async ctx =>
{
    if (await ReadTodoAsync(ctx) is not { } input) return;
    if (todos.Replace(int.Parse(ctx.Route["id"]!, CultureInfo.InvariantCulture), input.Title!, input.Done) is { } todo) ctx.Response.WriteJson(todo, TodoJson.Default.Todo);
    else ctx.Response.StatusCode = 404;
});
api.MapDelete("/{id:int}", ctx =>
{
    ctx.Response.StatusCode = todos.Remove(int.Parse(ctx.Route["id"]!, CultureInfo.InvariantCulture)) ? 204 : 404;
});

// A cookie round trip: how many times this browser asked.
app.MapGet("/api/visits", ctx =>
{
    int visits = int.TryParse(ctx.Request.Cookies["visits"], NumberStyles.None, CultureInfo.InvariantCulture, out int n) ? n + 1 : 1;
    ctx.Response.Cookies.Append("visits", visits.ToString(CultureInfo.InvariantCulture), new CookieOptions
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        MaxAge = TimeSpan.FromDays(30),
    });
    ctx.Response.WriteJson(new Visits(visits), TodoJson.Default.Visits);
});

app.MapStaticFiles("/", Path.Combine(AppContext.BaseDirectory, "wwwroot"));

try
{
    app.Start();
}
catch (Netloop.NetloopException e)
{
    // A port in use, or a TLS certificate that is missing, expired or does not fit its key: one line, exit 1.
    Console.Error.WriteLine($"todoapi: {e.Message}");
    return 1;
}
if (app.TlsEndPoint is null || !app.TlsEndPoint.Equals(app.LocalEndPoint)) Console.WriteLine($"todoapi: listening on http://{app.LocalEndPoint}");
if (app.TlsEndPoint is not null) Console.WriteLine($"todoapi: listening on https://{app.TlsEndPoint}");

using var stop = new CancellationTokenSource();
using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
await app.StopAsync();
Console.WriteLine("todoapi: stopped");
return 0;

void Stop(PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}

// A todo from the request body, or null with the response already set to 400 (bad JSON, no title, title too long).
async Task<TodoInput?> ReadTodoAsync(HttpContext ctx)
{
    TodoInput? input;
    try
    {
        input = JsonSerializer.Deserialize(await ctx.Request.Body.ReadAllAsync(), TodoJson.Default.TodoInput);
    }
    catch (JsonException)
    {
        input = null;
    }
    string? problem = input?.Title switch
    {
        null => "a JSON body with a \"title\" is required",
        { Length: 0 } => "the title is empty",
        { Length: var length } when length > maxTitle => $"the title is longer than {maxTitle} characters",
        _ => null,
    };
    if (problem is null) return input;
    ctx.Response.StatusCode = 400;
    ctx.Response.WriteJson(new Problem(400, problem), TodoJson.Default.Problem);
    return null;
}

static string ReasonPhrase(int status) => status switch
{
    400 => "Bad Request",
    404 => "Not Found",
    405 => "Method Not Allowed",
    500 => "Internal Server Error",
    _ => "Error",
};
