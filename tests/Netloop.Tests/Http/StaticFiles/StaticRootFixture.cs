using System.Diagnostics;
using System.Net.Sockets;

namespace Netloop.Tests.Http.StaticFiles;

/// <summary>
/// A throw-away tree shared by the resolver tests:
/// <code>
/// base/
///   outside/secret.txt, outside/index.html
///   root/                      the static root
///     index.html  hello.txt  empty.txt  café.txt  "with space.txt"  .secret  .git/config
///     css/site.css  css/.hidden  docs/readme.md (no index)  sub/index.html  sub/deeper/page.html
///     link-inside -> hello.txt              link-dir-inside -> css          latest.js -> sub/deeper/page.html
///     link-outside -> ../outside/secret.txt link-outside-dir -> base/outside (absolute)
///     link-roundtrip -> ../root/hello.txt   link-loop -> link-loop          link-dangling -> nowhere.txt
///     evil/index.html -> ../../outside/index.html     nested-index/index.html/ (a directory)
///     fifo (when mkfifo exists)  sock (a Unix socket)
///   rootlink -> root
/// </code>
/// </summary>
public sealed class StaticRootFixture : IDisposable
{
    private readonly Socket _socket;

    public StaticRootFixture()
    {
        Base = Path.Combine(Path.GetTempPath(), "netloop-static-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Base, "root");
        Outside = Path.Combine(Base, "outside");
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret.txt"), "secret");
        File.WriteAllText(Path.Combine(Outside, "index.html"), "<p>outside</p>");

        Write("index.html", "<h1>home</h1>");
        Write("hello.txt", "Hello, World!");
        Write("empty.txt", "");
        Write("café.txt", "crème");
        Write("with space.txt", "spaced");
        Write(".secret", "hidden");
        Write(".git/config", "[core]");
        Write("css/site.css", "body{}");
        Write("css/.hidden", "x");
        Write("docs/readme.md", "# docs");
        Write("sub/index.html", "<p>sub</p>");
        Write("sub/deeper/page.html", "<p>page</p>");
        Directory.CreateDirectory(Path.Combine(Root, "evil"));
        Directory.CreateDirectory(Path.Combine(Root, "nested-index", "index.html"));

        Link("link-inside", "hello.txt");
        Link("link-dir-inside", "css");
        Link("latest.js", "sub/deeper/page.html");
        Link("link-outside", "../outside/secret.txt");
        Link("link-outside-dir", Outside);
        Link("link-roundtrip", "../root/hello.txt");
        Link("link-loop", "link-loop");
        Link("link-dangling", "nowhere.txt");
        Link("evil/index.html", "../../outside/index.html");
        RootLink = Path.Combine(Base, "rootlink");
        File.CreateSymbolicLink(RootLink, Root);

        HasFifo = TryMkfifo(Path.Combine(Root, "fifo"));
        // Kept open: .NET unlinks a Unix socket's path when the socket is disposed.
        _socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _socket.Bind(new UnixDomainSocketEndPoint(Path.Combine(Root, "sock")));
    }

    public string Base { get; }

    public string Root { get; }

    public string Outside { get; }

    public string RootLink { get; }

    public bool HasFifo { get; }

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(Base, recursive: true);
    }

    private void Write(string relative, string content)
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    private void Link(string relative, string target) => File.CreateSymbolicLink(Path.Combine(Root, relative), target);

    private static bool TryMkfifo(string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("mkfifo", [path]) { RedirectStandardError = true });
            if (process is null) return false;
            process.WaitForExit(10_000);
            return process.ExitCode == 0 && File.Exists(path);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false; // no mkfifo on this machine
        }
    }
}
