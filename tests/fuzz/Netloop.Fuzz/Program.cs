using Netloop.Fuzz;
using SharpFuzz;

// netloop-fuzz TARGET          run under afl-fuzz (tests/fuzz/run.sh does this), one input after another
// netloop-fuzz TARGET FILE...  run the files once each, outside AFL, to reproduce a crash with a plain stack trace
// netloop-fuzz --list          the targets, one a line: name and what it drives
if (args.Length == 1 && args[0] == "--list")
{
    foreach (FuzzTarget t in FuzzTargets.All) Console.WriteLine($"{t.Name,-18} {t.Description}");
    return 0;
}
FuzzTarget? target = args.Length >= 1 ? FuzzTargets.Find(args[0]) : null;
if (target is null)
{
    Console.Error.WriteLine($"usage: Netloop.Fuzz TARGET [FILE...] | --list; targets: {string.Join(' ', FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}
if (args.Length > 1)
{
    // An instrumented Netloop.dll writes coverage to the map AFL shares; outside AFL it gets a map of its own.
    unsafe
    {
        SharpFuzz.Common.Trace.SharedMem = (byte*)System.Runtime.InteropServices.NativeMemory.AllocZeroed(1 << 16);
    }
    foreach (string file in args[1..])
    {
        target.Run(File.ReadAllBytes(file));
        Console.WriteLine($"{file}: ok");
    }
    return 0;
}
var buffer = new MemoryStream();
Fuzzer.Run(stream =>
{
    buffer.SetLength(0);
    stream.CopyTo(buffer);
    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;
