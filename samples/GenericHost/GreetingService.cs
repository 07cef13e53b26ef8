namespace GenericHost;

/// <summary>A service registered in the host's DI container and used by the handlers: it greets and counts the greetings.</summary>
internal sealed class GreetingService
{
    private long _count;

    public string Greet(string name)
    {
        long count = Interlocked.Increment(ref _count);
        return $"Hello, {name}! You are greeting number {count}.";
    }

    public long Count => Interlocked.Read(ref _count);
}
