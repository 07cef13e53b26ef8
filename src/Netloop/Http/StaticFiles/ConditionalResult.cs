namespace Netloop.Http.StaticFiles;

/// <summary>The outcome of <see cref="Preconditions.Evaluate"/>.</summary>
internal enum ConditionalResult
{
    /// <summary>No precondition stops the request: serve it (a Range may still apply).</summary>
    Proceed,

    /// <summary>304 Not Modified: the client's copy is current (GET and HEAD only). Send the validators, no body.</summary>
    NotModified,

    /// <summary>412 Precondition Failed.</summary>
    PreconditionFailed,
}
