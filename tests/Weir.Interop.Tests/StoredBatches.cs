using Weir.Broker.Storage;

namespace Weir.Interop.Tests;

/// <summary>Reads a partition's segment files directly, to see what the broker actually stored.</summary>
internal static class StoredBatches
{
    /// <summary>The compression codec (attributes bits 0-2) of every batch stored for the partition.</summary>
    public static List<int> Codecs(string dataDirectory, string topic, int partition) =>
        Headers(dataDirectory, topic, partition).Select(b => b.Compression).ToList();

    /// <summary>How many records the partition's files hold.</summary>
    public static long RecordCount(string dataDirectory, string topic, int partition) =>
        Headers(dataDirectory, topic, partition).Sum(b => (long)b.RecordsCount);

    private static List<RecordBatch> Headers(string dataDirectory, string topic, int partition)
    {
        var batches = new List<RecordBatch>();
        var folder = Path.Combine(dataDirectory, "topics", topic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var file in Directory.GetFiles(folder, "*.log").Order(StringComparer.Ordinal))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            var at = 0;
            while (bytes.Length - at >= RecordBatch.HeaderSize)
            {
                var batch = new RecordBatch(bytes.AsSpan(at));
                batches.Add(batch);
                at += batch.TotalSize;
            }
        }

        return batches;
    }
}
