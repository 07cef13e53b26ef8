namespace Netloop;

/// <summary>A failure of the server itself (not of one connection): a syscall that must not fail did, or a start-up error.</summary>
public class NetloopException : Exception
{
    /// <summary>Creates the exception.</summary>
    public NetloopException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public NetloopException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public NetloopException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>The address to listen on is taken by another socket (EADDRINUSE).</summary>
public sealed class AddressInUseException : NetloopException
{
    /// <summary>Creates the exception for <paramref name="endPoint"/>.</summary>
    public AddressInUseException(System.Net.IPEndPoint endPoint)
        : base($"address {Format(endPoint)} is already in use") => EndPoint = endPoint;

    /// <summary>The address that was taken.</summary>
    public System.Net.IPEndPoint EndPoint { get; }

    /// <summary>Formats as <c>127.0.0.1:7000</c> or <c>[::1]:7000</c>.</summary>
    public static string Format(System.Net.IPEndPoint endPoint) => endPoint.ToString();
}
