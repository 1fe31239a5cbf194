using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weir.Pipelines.Shared;

/// <summary>
/// JSON text exactly as Python's <c>json.dumps</c> writes it, with default arguments or indent=2 (the original factory
/// API sends <c>json.dumps(record)</c>; the fingerprint pipeline builds its records and saved files that way):
/// separators ", " and ": ", everything outside ' '..'~' escaped as \uXXXX, integers as written, other numbers as
/// Python's float repr (shortest round-trip digits, exponent form below 1e-4 and from 1e16 on, "1.0" rather than
/// "1"). A repeated key keeps its first position and its last value, as a Python dict does.
/// </summary>
internal static class PythonJson
{
    public static string Dumps(JsonElement value)
    {
        var text = new StringBuilder();
        Write(text, value);
        return text.ToString();
    }

    public static void Write(StringBuilder text, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                WriteObject(text, value);
                break;
            case JsonValueKind.Array:
                text.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!first)
                    {
                        text.Append(", ");
                    }

                    first = false;
                    Write(text, item);
                }

                text.Append(']');
                break;
            case JsonValueKind.String:
                String(text, value.GetString()!);
                break;
            case JsonValueKind.Number:
                WriteNumber(text, value);
                break;
            case JsonValueKind.True:
                text.Append("true");
                break;
            case JsonValueKind.False:
                text.Append("false");
                break;
            default:
                text.Append("null");
                break;
        }
    }

    /// <summary>
    /// <c>json.dumps(value, indent=2)</c> of a parsed JSON value, nested at <paramref name="depth"/>: integers as written,
    /// other numbers as repr(float), strings ensure_ascii, objects in their order.
    /// </summary>
    public static void Indented(StringBuilder output, JsonElement value, int depth = 0)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                var properties = Properties(value);
                if (properties.Count == 0)
                {
                    output.Append("{}");
                    return;
                }

                output.Append('{');
                for (var i = 0; i < properties.Count; i++)
                {
                    output.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                    String(output, properties[i].Key);
                    output.Append(": ");
                    Indented(output, properties[i].Value, depth + 1);
                }

                output.Append('\n').Append(' ', depth * 2).Append('}');
                return;
            case JsonValueKind.Array:
                if (value.GetArrayLength() == 0)
                {
                    output.Append("[]");
                    return;
                }

                output.Append('[');
                var first = true;
                foreach (var item in value.EnumerateArray())
                {
                    output.Append(first ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                    first = false;
                    Indented(output, item, depth + 1);
                }

                output.Append('\n').Append(' ', depth * 2).Append(']');
                return;
            default:
                Write(output, value); // scalars are written the same way with or without indent
                return;
        }
    }

    /// <summary>Python's <c>repr(float)</c>; NaN and infinities as json.dumps writes them.</summary>
    public static string Float(double value)
    {
        if (double.IsNaN(value))
        {
            return "NaN";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "Infinity" : "-Infinity";
        }

        if (value == 0)
        {
            return double.IsNegative(value) ? "-0.0" : "0.0";
        }

        // "R" gives the shortest digits that round-trip, as Python's repr does; only the layout differs.
        var roundTrip = Math.Abs(value).ToString("R", CultureInfo.InvariantCulture);
        var (digits, pointAt) = Digits(roundTrip);
        var result = new StringBuilder(digits.Length + 8);
        if (value < 0)
        {
            result.Append('-');
        }

        if (pointAt is > 16 or < -3)
        {
            result.Append(digits[0]);
            if (digits.Length > 1)
            {
                result.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var exponent = pointAt - 1;
            result.Append('e').Append(exponent < 0 ? '-' : '+').Append(Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (pointAt <= 0)
        {
            result.Append("0.").Append('0', -pointAt).Append(digits);
        }
        else if (pointAt >= digits.Length)
        {
            result.Append(digits).Append('0', pointAt - digits.Length).Append(".0");
        }
        else
        {
            result.Append(digits, 0, pointAt).Append('.').Append(digits, pointAt, digits.Length - pointAt);
        }

        return result.ToString();
    }

    /// <summary>Significant digits (no leading or trailing zeros) and where the decimal point goes: value = 0.digits × 10^pointAt.</summary>
    private static (string Digits, int PointAt) Digits(string roundTrip)
    {
        var exponent = 0;
        var e = roundTrip.IndexOfAny(['E', 'e']);
        var mantissa = roundTrip;
        if (e >= 0)
        {
            exponent = int.Parse(roundTrip.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mantissa = roundTrip[..e];
        }

        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var integerPart = dot < 0 ? mantissa : mantissa[..dot];
        var fraction = dot < 0 ? "" : mantissa[(dot + 1)..];
        var all = integerPart + fraction;
        var pointAt = integerPart.Length + exponent;
        var leading = 0;
        while (leading < all.Length - 1 && all[leading] == '0')
        {
            leading++;
        }

        all = all[leading..];
        pointAt -= leading;
        return (all.TrimEnd('0') is { Length: > 0 } trimmed ? trimmed : "0", pointAt);
    }

    private static void WriteObject(StringBuilder text, JsonElement value)
    {
        var properties = Properties(value);
        text.Append('{');
        for (var i = 0; i < properties.Count; i++)
        {
            if (i > 0)
            {
                text.Append(", ");
            }

            String(text, properties[i].Key);
            text.Append(": ");
            Write(text, properties[i].Value);
        }

        text.Append('}');
    }

    /// <summary>An object's members as a Python dict holds them: a repeated key keeps its first position and its last value.</summary>
    private static List<KeyValuePair<string, JsonElement>> Properties(JsonElement value)
    {
        var properties = new List<KeyValuePair<string, JsonElement>>();
        foreach (var property in value.EnumerateObject())
        {
            var index = properties.FindIndex(p => p.Key == property.Name);
            if (index >= 0)
            {
                properties[index] = new(property.Name, property.Value);
            }
            else
            {
                properties.Add(new(property.Name, property.Value));
            }
        }

        return properties;
    }

    private static void WriteNumber(StringBuilder text, JsonElement value)
    {
        var raw = value.GetRawText();
        if (raw.AsSpan().IndexOfAny(".eE") < 0)
        {
            // A JSON integer is a Python int: arbitrary precision, written back digit for digit ("-0" becomes "0").
            text.Append(raw == "-0" ? "0" : raw);
            return;
        }

        text.Append(Float(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture)));
    }

    /// <summary>A JSON string literal as json.dumps writes it (ensure_ascii).</summary>
    public static void String(StringBuilder text, string value)
    {
        text.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    text.Append("\\\"");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case '\n':
                    text.Append("\\n");
                    break;
                case '\r':
                    text.Append("\\r");
                    break;
                case '\t':
                    text.Append("\\t");
                    break;
                case '\b':
                    text.Append("\\b");
                    break;
                case '\f':
                    text.Append("\\f");
                    break;
                default:
                    if (c is < ' ' or > '~')
                    {
                        text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        text.Append('"');
    }
}
