using System.Text.Json;
using System.Text.Json.Serialization;

namespace TodoApi;

/// <summary>What appsettings.json holds (beside the dll); every value has a default, so the file is optional.</summary>
internal sealed record Settings
{
    public int Port { get; init; } = 5080;

    public TodoSettings Todos { get; init; } = new();

    /// <summary>Reads appsettings.json from <paramref name="directory"/>; a malformed file is a one-line error, not a stack trace.</summary>
    public static Settings Load(string directory)
    {
        string path = Path.Combine(directory, "appsettings.json");
        if (!File.Exists(path)) return new Settings();
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), SettingsJson.Default.Settings) ?? new Settings();
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}

internal sealed record TodoSettings
{
    public int MaxTitleLength { get; init; } = 100;
}

[JsonSourceGenerationOptions(PropertyNameCaseInsensitive = true, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(Settings))]
internal sealed partial class SettingsJson : JsonSerializerContext;
