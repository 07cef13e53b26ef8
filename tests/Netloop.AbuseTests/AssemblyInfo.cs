// One test at a time: each measures a server process (RSS, CPU, fds) and loads the host with hundreds to thousands of
// connections; two at once would measure each other.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
