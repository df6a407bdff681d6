using System.Collections;
using System.Text.Json;

namespace Hubspec.Interop.AspNetCore;

/// <summary>
/// Makes a received "Value" sendable on a connection of either protocol. JSON binds object? to
/// JsonElement, which MessagePack cannot write, and MessagePack binds maps to
/// Dictionary&lt;object, object&gt;, which System.Text.Json cannot write; both become plain
/// lists, string-keyed dictionaries and primitives (integers stay integers, binary stays byte[]).
/// </summary>
public static class PortableValue
{
    public static object? From(object? value) => value switch
    {
        null => null,
        JsonElement element => FromJson(element),
        string or byte[] => value,
        IDictionary map => map.Keys.Cast<object>().ToDictionary(k => Convert.ToString(k) ?? "", k => From(map[k])),
        IEnumerable list => list.Cast<object?>().Select(From).ToList(),
        _ => value,
    };

    private static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => FromJson(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        // The cast matters: "? long : double" would make every integer a double, which MessagePack then
        // writes as float64 and a client's int parameter cannot bind (seen with the .NET client).
        JsonValueKind.Number => element.TryGetInt64(out var integer) ? (object)integer : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
