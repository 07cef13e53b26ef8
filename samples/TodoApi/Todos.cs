using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TodoApi;

internal sealed record Todo(int Id, string Title, bool Done);

/// <summary>The body of POST and PUT: a title, and for PUT whether it is done.</summary>
internal sealed record TodoInput(string? Title, bool Done);

internal sealed record Problem(int Status, string Title);

internal sealed record Visits(int Count);

/// <summary>The todos, in memory (the handlers run on several event loops at once, hence the concurrent dictionary).</summary>
internal sealed class TodoStore
{
    private readonly ConcurrentDictionary<int, Todo> _todos = new();
    private int _lastId;

    public Todo[] All() => [.. _todos.Values.OrderBy(t => t.Id)];

    public Todo? Find(int id) => _todos.GetValueOrDefault(id);

    public Todo Add(string title)
    {
        var todo = new Todo(Interlocked.Increment(ref _lastId), title, Done: false);
        _todos[todo.Id] = todo;
        return todo;
    }

    public Todo? Replace(int id, string title, bool done)
    {
        if (!_todos.ContainsKey(id)) return null;
        var todo = new Todo(id, title, done);
        _todos[id] = todo;
        return todo;
    }

    public bool Remove(int id) => _todos.TryRemove(id, out _);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Todo))]
[JsonSerializable(typeof(Todo[]))]
[JsonSerializable(typeof(TodoInput))]
[JsonSerializable(typeof(Problem))]
[JsonSerializable(typeof(Visits))]
internal sealed partial class TodoJson : JsonSerializerContext;
