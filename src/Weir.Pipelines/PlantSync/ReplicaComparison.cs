using Weir.Connectors.Sql;

namespace Weir.Pipelines.PlantSync;

/// <summary>Compares two plant-image databases record for record (every field, image bytes included).</summary>
internal static class ReplicaComparison
{
    /// <summary>Descriptions of the differences (empty when the databases hold the same records), at most <paramref name="limit"/>.</summary>
    public static async Task<List<string>> DifferencesAsync(SqlDatabase expected, SqlDatabase actual, CancellationToken cancellationToken, int limit = 20)
    {
        var want = await ReadAllAsync(expected, cancellationToken).ConfigureAwait(false);
        var have = await ReadAllAsync(actual, cancellationToken).ConfigureAwait(false);
        var differences = new List<string>();
        foreach (var (key, image) in want)
        {
            if (!have.TryGetValue(key, out var copy))
            {
                differences.Add($"{key.Plant}/{key.Id} is missing");
            }
            else if (!image.SameAs(copy))
            {
                differences.Add($"{key.Plant}/{key.Id} differs: expected {image}, found {copy}");
            }
        }

        foreach (var key in have.Keys.Where(k => !want.ContainsKey(k)))
        {
            differences.Add($"{key.Plant}/{key.Id} should not exist");
        }

        return differences.Count > limit ? [.. differences.Take(limit), $"... and {differences.Count - limit} more"] : differences;
    }

    /// <summary>Every record of the database, by plant and id.</summary>
    public static async Task<Dictionary<(string Plant, long Id), PlantImage>> ReadAllAsync(SqlDatabase database, CancellationToken cancellationToken)
    {
        var images = new Dictionary<(string, long), PlantImage>();
        await using var connection = await database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.Command($"SELECT {PlantImageSchema.Columns} FROM plant_images");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            var image = PlantImageStore.ReadImage(reader);
            images[(image.Plant, image.Id)] = image;
        }

        return images;
    }
}
