using System.Globalization;
using System.Text.RegularExpressions;
using Weir.Connectors.Files;

namespace Weir.Pipelines.Factory;

/// <summary>A Parquet file of the sink and the offsets of its topic partition that it covers (inclusive).</summary>
internal sealed record SinkFile(string Path, string Topic, int Partition, long FirstOffset, long LastOffset);

/// <summary>
/// The sink's files are its ledger. Each holds the valid records of one topic partition's offset range
/// [first, last], and its name says so: <c>{topic}+{partition}+{first}+{last}.parquet</c>, offsets zero-padded to 19
/// digits so names sort by offset ('+' cannot occur in a Kafka topic name). A file appears complete or not at all
/// (temporary name, fsync, rename, folder fsync), so after any crash the files prove exactly which offsets were
/// written, and the sink resumes after the last one.
/// </summary>
internal static partial class SinkFiles
{
    public static string NameFor(string topic, int partition, long first, long last) =>
        string.Create(CultureInfo.InvariantCulture, $"{topic}+{partition}+{first:D19}+{last:D19}.parquet");

    public static SinkFile? Parse(string path)
    {
        var match = NamePattern().Match(Path.GetFileName(path));
        if (!match.Success)
        {
            return null;
        }

        return new SinkFile(
            path,
            match.Groups["topic"].Value,
            int.Parse(match.Groups["partition"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture),
            long.Parse(match.Groups["last"].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Removes temporary files a crashed sink left behind for <paramref name="partitions"/> of <paramref name="topic"/>
    /// (only those: other sink instances may be writing theirs), then returns, per partition, the offset after the
    /// last one written. Overlapping ranges would mean a record in two files: that is reported, never silently resolved.
    /// </summary>
    public static Dictionary<int, long> Resume(string folder, string topic, IReadOnlyCollection<int> partitions)
    {
        if (Directory.Exists(folder))
        {
            foreach (var leftover in Directory.EnumerateFiles(folder, "." + "*" + DurableFile.TemporarySuffix))
            {
                var name = Path.GetFileName(leftover);
                if (Parse(name[1..^DurableFile.TemporarySuffix.Length]) is { } file && file.Topic == topic && partitions.Contains(file.Partition))
                {
                    File.Delete(leftover);
                }
            }
        }

        var next = new Dictionary<int, long>();
        foreach (var partition in List(folder, topic).Where(f => partitions.Contains(f.Partition)).GroupBy(f => f.Partition))
        {
            SinkFile? previous = null;
            foreach (var file in partition.OrderBy(f => f.FirstOffset))
            {
                if (previous is not null && file.FirstOffset <= previous.LastOffset)
                {
                    throw new InvalidDataException(
                        $"'{previous.Path}' and '{file.Path}' cover overlapping offsets of {topic} partition {partition.Key}; " +
                        "records would be duplicated. Remove the file that should not be there and start the sink again.");
                }

                previous = file;
            }

            next[partition.Key] = previous!.LastOffset + 1;
        }

        return next;
    }

    public static IEnumerable<SinkFile> List(string folder, string topic) =>
        Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.parquet").Select(Parse).OfType<SinkFile>().Where(f => f.Topic == topic)
            : [];

    [GeneratedRegex(@"^(?<topic>[^+]+)\+(?<partition>\d+)\+(?<first>\d{19})\+(?<last>\d{19})\.parquet$")]
    private static partial Regex NamePattern();
}
