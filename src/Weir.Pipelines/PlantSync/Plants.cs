namespace Weir.Pipelines.PlantSync;

/// <summary>
/// The three plants of the Leaf Image Management System. Each has its own Kafka topic named after it and its own id
/// sequence; disease classes are those of the original recogniser (PlantVillage classes).
/// </summary>
internal static class Plants
{
    public const string Potato = "potato";
    public const string Tomato = "tomato";
    public const string Pepper = "pepper";

    /// <summary>In the order the original consumer subscribed: pepper, potato, tomato.</summary>
    public static IReadOnlyList<string> All { get; } = [Pepper, Potato, Tomato];

    private static readonly Dictionary<string, string[]> DiseaseClasses = new(StringComparer.Ordinal)
    {
        [Potato] = ["Early Blight", "Late Blight", "Healthy"],
        [Pepper] = ["Bacterial Spot", "Healthy"],
        [Tomato] =
        [
            "Bacterial Spot", "Early Blight", "Late Blight", "Leaf Mold", "Septoria Leaf Spot", "Spider Mites",
            "Target Spot", "Yellow Leaf Curl Virus", "Mosaic Virus", "Healthy",
        ],
    };

    public static bool IsKnown(string plant) => DiseaseClasses.ContainsKey(plant);

    /// <summary>The disease classes the recogniser can report for <paramref name="plant"/> (the last is "Healthy").</summary>
    public static IReadOnlyList<string> Diseases(string plant) => DiseaseClasses[plant];

    /// <summary>The Kafka topic carrying <paramref name="plant"/>'s changes: the plant's name, as in the original.</summary>
    public static string Topic(string plant) => plant;

    /// <summary>The message key: "{plant}-{id}", so one record's changes stay in one partition, in order.</summary>
    public static string Key(string plant, long id) => $"{plant}-{id}";

    public static string UnknownPlantMessage(string plant) =>
        $"Unknown plant '{plant}'; plants are {string.Join(", ", All)}";
}
