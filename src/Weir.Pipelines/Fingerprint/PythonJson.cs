using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Weir.Pipelines.Fingerprint;

/// <summary>
/// JSON text exactly as Python's <c>json.dumps</c> writes it (the original built its records that way): floats as
/// <c>repr(float)</c> (shortest round-trip digits, ".0" on integral values, exponent below 1e-4 and from 1e16),
/// strings with <c>ensure_ascii</c> escaping.
/// </summary>
internal static class PythonJson
{
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

        // .NET's "R" gives the same shortest round-trip digits; only the layout differs.
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        var negative = text[0] == '-';
        if (negative)
        {
            text = text[1..];
        }

        var exponentAt = text.IndexOf('E', StringComparison.Ordinal);
        var exponent = exponentAt < 0 ? 0 : int.Parse(text.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var mantissa = exponentAt < 0 ? text : text[..exponentAt];
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = dot < 0 ? mantissa : mantissa.Remove(dot, 1);
        var decimalPoint = (dot < 0 ? mantissa.Length : dot) + exponent;
        var leadingZeros = 0;
        while (leadingZeros < digits.Length - 1 && digits[leadingZeros] == '0')
        {
            leadingZeros++;
        }

        digits = digits[leadingZeros..].TrimEnd('0');
        decimalPoint -= leadingZeros;
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var result = new StringBuilder(32);
        if (negative)
        {
            result.Append('-');
        }

        if (decimalPoint <= -4 || decimalPoint > 16)
        {
            result.Append(digits[0]);
            if (digits.Length > 1)
            {
                result.Append('.').Append(digits, 1, digits.Length - 1);
            }

            var e = decimalPoint - 1;
            result.Append(e < 0 ? "e-" : "e+").Append(Math.Abs(e).ToString("00", CultureInfo.InvariantCulture));
        }
        else if (decimalPoint <= 0)
        {
            result.Append("0.").Append('0', -decimalPoint).Append(digits);
        }
        else if (decimalPoint >= digits.Length)
        {
            result.Append(digits).Append('0', decimalPoint - digits.Length).Append(".0");
        }
        else
        {
            result.Append(digits, 0, decimalPoint).Append('.').Append(digits, decimalPoint, digits.Length - decimalPoint);
        }

        return result.ToString();
    }

    /// <summary>A JSON string literal as json.dumps writes it (ensure_ascii).</summary>
    public static void String(StringBuilder output, string value)
    {
        output.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': output.Append("\\\""); break;
                case '\\': output.Append("\\\\"); break;
                case '\n': output.Append("\\n"); break;
                case '\r': output.Append("\\r"); break;
                case '\t': output.Append("\\t"); break;
                case '\b': output.Append("\\b"); break;
                case '\f': output.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        output.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }

    /// <summary>
    /// <c>json.dumps(value, indent=2)</c> of a parsed JSON value: integers as written, other numbers as
    /// repr(float), strings ensure_ascii, objects in their order.
    /// </summary>
    public static void Indented(StringBuilder output, JsonElement value, int depth = 0)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                if (!value.EnumerateObject().Any())
                {
                    output.Append("{}");
                    return;
                }

                output.Append('{');
                var firstProperty = true;
                foreach (var property in value.EnumerateObject())
                {
                    output.Append(firstProperty ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                    firstProperty = false;
                    String(output, property.Name);
                    output.Append(": ");
                    Indented(output, property.Value, depth + 1);
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
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    output.Append(firstItem ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                    firstItem = false;
                    Indented(output, item, depth + 1);
                }

                output.Append('\n').Append(' ', depth * 2).Append(']');
                return;
            case JsonValueKind.String:
                String(output, value.GetString()!);
                return;
            case JsonValueKind.Number:
                var raw = value.GetRawText();
                output.Append(raw.AsSpan().IndexOfAny(".eE") < 0 ? raw : Float(value.GetDouble()));
                return;
            case JsonValueKind.True:
                output.Append("true");
                return;
            case JsonValueKind.False:
                output.Append("false");
                return;
            default:
                output.Append("null");
                return;
        }
    }
}
