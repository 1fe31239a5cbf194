using ParquetSharp;

namespace Weir.Factory.Tests;

/// <summary>Writes factory tables with ParquetSharp (Apache Arrow C++), independently of Weir's own writer.</summary>
internal static class ArrowTables
{
    public static void WriteWorkOrders(string path, IReadOnlyList<(DateTime Time, int Product, float Production)> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new ParquetFileWriter(path,
            [new Column<DateTime>("time", LogicalType.Timestamp(true, TimeUnit.Micros)), new Column<int>("product"), new Column<float>("production")]);
        using var rowGroup = writer.AppendRowGroup();
        using (var w = rowGroup.NextColumn().LogicalWriter<DateTime>())
        {
            w.WriteBatch(rows.Select(r => r.Time).ToArray());
        }

        using (var w = rowGroup.NextColumn().LogicalWriter<int>())
        {
            w.WriteBatch(rows.Select(r => r.Product).ToArray());
        }

        using (var w = rowGroup.NextColumn().LogicalWriter<float>())
        {
            w.WriteBatch(rows.Select(r => r.Production).ToArray());
        }

        writer.Close();
    }

    public static void WriteMetrics(string path, IReadOnlyList<(int Id, float Val, DateTime Time)> rows)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var writer = new ParquetFileWriter(path,
            [new Column<int>("id"), new Column<float>("val"), new Column<DateTime>("time", LogicalType.Timestamp(true, TimeUnit.Micros))]);
        using var rowGroup = writer.AppendRowGroup();
        using (var w = rowGroup.NextColumn().LogicalWriter<int>())
        {
            w.WriteBatch(rows.Select(r => r.Id).ToArray());
        }

        using (var w = rowGroup.NextColumn().LogicalWriter<float>())
        {
            w.WriteBatch(rows.Select(r => r.Val).ToArray());
        }

        using (var w = rowGroup.NextColumn().LogicalWriter<DateTime>())
        {
            w.WriteBatch(rows.Select(r => r.Time).ToArray());
        }

        writer.Close();
    }
}
