using System.Diagnostics;
using Netloop.Bench.Running;
using Netloop.Bench.Servers;
using Xunit.Abstractions;

namespace Netloop.Tests.Bench.Servers;

/// <summary>The nginx configuration the bench generates: one worker, both endpoints, every path inside its own folder.</summary>
public sealed class NginxConfigTests(ITestOutputHelper output)
{
    private static string Generate(string prefix, bool root = true) =>
        NginxConfig.Generate(prefix, 8123, 11_314, TimeSpan.FromMinutes(5), root);

    [Fact]
    public void One_worker_in_the_foreground_with_a_master()
    {
        string config = Generate("/tmp/x");
        Assert.Contains("worker_processes 1;", config, StringComparison.Ordinal);
        Assert.Contains("daemon off;", config, StringComparison.Ordinal);
        Assert.Contains("master_process on;", config, StringComparison.Ordinal);
        Assert.Contains("worker_connections 11314;", config, StringComparison.Ordinal);
        Assert.Contains("listen 127.0.0.1:8123 reuseport backlog=4096;", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Serves_plaintext_and_json_as_the_other_servers_do()
    {
        string config = Generate("/tmp/x");
        Assert.Contains("location = /plaintext { default_type text/plain; return 200 \"Hello, World!\"; }", config, StringComparison.Ordinal);
        Assert.Contains("location = /json { default_type application/json; return 200 '{\"message\":\"Hello, World!\"}'; }", config, StringComparison.Ordinal);
        Assert.Contains("access_log off;", config, StringComparison.Ordinal);
        Assert.Contains("keepalive_requests 1000000000;", config, StringComparison.Ordinal);
        Assert.Contains("keepalive_timeout 300s;", config, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_path_is_inside_the_prefix_so_root_never_writes_to_var()
    {
        string config = Generate("/tmp/run/nginx-1/");
        foreach (string directive in new[] { "pid", "error_log", "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path" })
        {
            string line = config.Split('\n').Single(l => l.TrimStart().StartsWith(directive + " ", StringComparison.Ordinal));
            Assert.Contains(" /tmp/run/nginx-1/", line, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("/var/", config, StringComparison.Ordinal);
    }

    [Fact]
    public void User_line_only_as_root()
    {
        Assert.Contains("user root root;", Generate("/tmp/x", root: true), StringComparison.Ordinal);
        Assert.DoesNotContain("user ", Generate("/tmp/x", root: false), StringComparison.Ordinal);
    }

    [Fact]
    public void Worker_connections_leave_room_so_nginx_never_drains_idle_keep_alive_connections()
    {
        // nginx closes reusable connections when fewer than 1/16 of its slots are free.
        foreach (int connections in new[] { 256, 10_000, 10_256 })
        {
            int slots = NginxConfig.WorkerConnectionsFor(connections);
            Assert.True(slots - connections > slots / 16, $"{slots} slots for {connections} connections");
        }
    }

    [Fact]
    public async Task Nginx_accepts_the_configuration_when_it_is_installed()
    {
        string? nginx = CpuPinning.FindOnPath("nginx");
        if (nginx is null)
        {
            // CI installs nginx; a developer machine without it checks the text only (the tests above).
            output.WriteLine("nginx is not installed: configuration not checked with nginx -t");
            return;
        }
        string prefix = Directory.CreateTempSubdirectory("netloop-nginx-test-").FullName;
        try
        {
            string config = Path.Combine(prefix, "nginx.conf");
            await File.WriteAllTextAsync(config, NginxConfig.Generate(prefix, 8123, 1024, TimeSpan.FromMinutes(5), Posix.IsRoot));
            var info = new ProcessStartInfo(nginx) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string arg in new[] { "-t", "-p", prefix + "/", "-c", config, "-e", Path.Combine(prefix, "error.log") }) info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            string stderr = await process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            output.WriteLine(stderr);
            Assert.True(process.ExitCode == 0, $"nginx -t rejected the configuration:\n{stderr}\n{await File.ReadAllTextAsync(config)}");
        }
        finally
        {
            Directory.Delete(prefix, recursive: true);
        }
    }
}
