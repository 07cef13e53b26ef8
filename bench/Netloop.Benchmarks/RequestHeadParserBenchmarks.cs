using System.Text;
using BenchmarkDotNet.Attributes;
using Netloop.Protocols.Http1;

namespace Netloop.Benchmarks;

/// <summary>HTTP/1.1 head parsing: ns per request and bytes allocated (must be 0).</summary>
[MemoryDiagnoser]
public class RequestHeadParserBenchmarks
{
    private static readonly byte[] s_plaintext = Encoding.ASCII.GetBytes(
        "GET /plaintext HTTP/1.1\r\nHost: localhost\r\nAccept: text/plain,text/html;q=0.9,application/xhtml+xml;q=0.9,application/xml;q=0.8,*/*;q=0.7\r\nConnection: keep-alive\r\n\r\n");

    private static readonly byte[] s_browser = Encoding.ASCII.GetBytes(
        "GET /static/app.js?v=42 HTTP/1.1\r\n" +
        "Host: www.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
        "sec-ch-ua-mobile: ?0\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36\r\n" +
        "sec-ch-ua-platform: \"Linux\"\r\n" +
        "Accept: */*\r\n" +
        "Sec-Fetch-Site: same-origin\r\n" +
        "Sec-Fetch-Mode: no-cors\r\n" +
        "Sec-Fetch-Dest: script\r\n" +
        "Referer: https://www.example.com/\r\n" +
        "Accept-Encoding: gzip, deflate, br\r\n" +
        "\r\n");

    private readonly RequestHeadParser _parser = new();

    [Benchmark(Baseline = true)]
    public int Plaintext()
    {
        _parser.Reset();
        _parser.ParseHead(s_plaintext);
        return _parser.HeadLength;
    }

    [Benchmark]
    public int BrowserTwelveHeaders()
    {
        _parser.Reset();
        _parser.ParseHead(s_browser);
        return _parser.HeadLength;
    }
}
