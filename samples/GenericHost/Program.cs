using Netloop.Server;
using GenericHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// Netloop inside the .NET Generic Host: the host owns configuration, logging, DI and the process lifetime (Ctrl+C and
// SIGTERM stop it gracefully, exit code 0); Netloop is one of its hosted services.
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddSingleton<GreetingService>();
builder.Services.AddNetloop(app =>
{
    app.MapGet("/", context =>
    {
        var greetings = context.RequestServices.GetRequiredService<GreetingService>();
        context.Response.WriteText(greetings.Greet("world"));
    });
    app.MapGet("/hello/{name}", context =>
    {
        var greetings = context.RequestServices.GetRequiredService<GreetingService>();
        context.Response.WriteText(greetings.Greet(context.Route["name"] ?? "stranger"));
    });
    app.MapGet("/count", context =>
        context.Response.WriteText(context.RequestServices.GetRequiredService<GreetingService>().Count.ToString(System.Globalization.CultureInfo.InvariantCulture)));
});

await builder.Build().RunAsync();
