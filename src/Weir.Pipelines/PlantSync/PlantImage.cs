namespace Weir.Pipelines.PlantSync;

/// <summary>
/// One image record of one plant, as the image API serves it and as each Kafka message carries it (the whole record
/// after the change). Timestamps are microseconds since the Unix epoch (<see cref="PlantTime"/>).
/// </summary>
internal sealed record PlantImage
{
    public required string Plant { get; init; }

    /// <summary>Sequential per plant, from 1.</summary>
    public required long Id { get; init; }

    public required long CameraId { get; init; }

    /// <summary>The JPEG bytes (hex in JSON).</summary>
    public required byte[] Data { get; init; }

    public required double Latitude { get; init; }

    public required double Longitude { get; init; }

    public required long CreatedAt { get; init; }

    public long? UpdatedAt { get; init; }

    public bool IsActive { get; init; }

    /// <summary>Soft delete: the record stays, flagged.</summary>
    public bool IsDeleted { get; init; }

    public string? Disease { get; init; }

    public double? Percentage { get; init; }

    /// <summary>
    /// When the record last changed: <see cref="UpdatedAt"/>, or <see cref="CreatedAt"/> for a record never updated.
    /// The producer makes it strictly increase per record, so it orders a record's versions: a consumer keeps the
    /// copy with the greatest value and ignores older or repeated ones.
    /// </summary>
    public long ChangedAt => UpdatedAt ?? CreatedAt;

    /// <summary>True when every field, image bytes included, is the same.</summary>
    public bool SameAs(PlantImage other) =>
        Plant == other.Plant && Id == other.Id && CameraId == other.CameraId && Data.AsSpan().SequenceEqual(other.Data)
        && Latitude.Equals(other.Latitude) && Longitude.Equals(other.Longitude) && CreatedAt == other.CreatedAt
        && UpdatedAt == other.UpdatedAt && IsActive == other.IsActive && IsDeleted == other.IsDeleted
        && Disease == other.Disease && Nullable.Equals(Percentage, other.Percentage);

    public override string ToString() =>
        $"{Plant}/{Id} camera {CameraId} at ({Latitude}, {Longitude}), {Data.Length} bytes, created {PlantTime.ToText(CreatedAt)}, " +
        $"updated {(UpdatedAt is { } u ? PlantTime.ToText(u) : "never")}, active {IsActive}, deleted {IsDeleted}, " +
        $"disease {Disease ?? "none"} {Percentage}";
}
