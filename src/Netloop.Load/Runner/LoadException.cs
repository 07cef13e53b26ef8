namespace Netloop.Load.Runner;

/// <summary>A run that could not do its job (nothing listens at the target, a client loop failed); the message is one line for the user.</summary>
public sealed class LoadException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LoadException()
    {
    }

    /// <summary>Creates the exception with a one-line message.</summary>
    public LoadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a one-line message and its cause.</summary>
    public LoadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
