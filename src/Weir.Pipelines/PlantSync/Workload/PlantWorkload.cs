using Microsoft.Extensions.Logging;

namespace Weir.Pipelines.PlantSync.Workload;

/// <summary>
/// The original jobs' periods (LIMS README and overview): the camera adds an image every 30 s, the disease recogniser
/// labels one every 100 s, the users job activates or deactivates one every 300 s, edits one every 300 s and deletes
/// one every 700 s. <see cref="Speed"/> divides every period, keeping the mix.
/// </summary>
internal sealed class PlantWorkloadOptions
{
    public double Speed { get; set; } = 1;

    public TimeSpan CameraPeriod { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan RecognizerPeriod { get; set; } = TimeSpan.FromSeconds(100);

    public TimeSpan ActivatePeriod { get; set; } = TimeSpan.FromSeconds(300);

    public TimeSpan EditPeriod { get; set; } = TimeSpan.FromSeconds(300);

    public TimeSpan DeletePeriod { get; set; } = TimeSpan.FromSeconds(700);

    /// <summary>Stop after this many changes in all (0: run until stopped).</summary>
    public long MaxChanges { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>Width and height of the camera's pictures, in pixels.</summary>
    public int ImageSize { get; set; } = LeafImages.DefaultSize;

    /// <summary>Changes per second the options produce, all jobs together.</summary>
    public double ChangesPerSecond =>
        Speed * ((1 / CameraPeriod.TotalSeconds) + (1 / RecognizerPeriod.TotalSeconds) + (1 / ActivatePeriod.TotalSeconds)
            + (1 / EditPeriod.TotalSeconds) + (1 / DeletePeriod.TotalSeconds));
}

/// <summary>
/// Drives the producer's image API like the original Camera, Leaf-disease recogniser and Users jobs did: creates,
/// updates and soft deletes at the configured rates, over HTTP. Failed calls are logged and counted; the jobs go on.
/// </summary>
internal sealed class PlantWorkload(PlantImageClient api, PlantWorkloadOptions options, TimeProvider time, ILogger logger)
{
    private long _changes;
    private long _failures;
    private long _started;

    public long Changes => Interlocked.Read(ref _changes);

    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Runs every job until cancelled or until <see cref="PlantWorkloadOptions.MaxChanges"/> changes were made.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var jobs = new (string Name, TimeSpan Period, Func<Random, CancellationToken, Task<bool>> Step)[]
        {
            ("camera", options.CameraPeriod, CameraAsync),
            ("recognizer", options.RecognizerPeriod, RecognizeAsync),
            ("activate", options.ActivatePeriod, ActivateAsync),
            ("edit", options.EditPeriod, EditAsync),
            ("delete", options.DeletePeriod, DeleteAsync),
        };
        var tasks = jobs.Select((job, index) => RunJobAsync(job.Name, job.Period / options.Speed, job.Step, new Random(options.Seed * 31 + index), stop))
            .ToArray();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by the caller or by reaching MaxChanges.
        }
    }

    private async Task RunJobAsync(string name, TimeSpan period, Func<Random, CancellationToken, Task<bool>> step, Random random, CancellationTokenSource stop)
    {
        // Jobs start at a random phase, as independent processes would.
        await Task.Delay(period * random.NextDouble(), time, stop.Token).ConfigureAwait(false);
        var next = time.GetTimestamp();
        while (!stop.IsCancellationRequested)
        {
            if (TryClaim())
            {
                var changed = false;
                try
                {
                    changed = await step(random, stop.Token).ConfigureAwait(false);
                }
                catch (Exception error) when (error is HttpRequestException or FormatException or TaskCanceledException && !stop.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _failures);
                    logger.LogWarning("Workload {Job}: {Error}", name, error.Message);
                }

                if (changed)
                {
                    if (Interlocked.Increment(ref _changes) == options.MaxChanges)
                    {
                        await stop.CancelAsync().ConfigureAwait(false);
                        break;
                    }
                }
                else if (options.MaxChanges > 0)
                {
                    // Nothing changed (no matching image, or the call failed): the slot goes back.
                    Interlocked.Decrement(ref _started);
                }
            }

            // Fixed-rate schedule: a slow call does not stretch the period; a backlog is not caught up in a burst.
            next += (long)(period.TotalSeconds * time.TimestampFrequency);
            var wait = time.GetElapsedTime(time.GetTimestamp(), next);
            if (wait < TimeSpan.Zero)
            {
                next = time.GetTimestamp();
                wait = TimeSpan.Zero;
            }

            await Task.Delay(wait, time, stop.Token).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Claims one of the <see cref="PlantWorkloadOptions.MaxChanges"/> slots before a call, so concurrent jobs never
    /// make more changes together; a job finding every slot taken waits for its next period (a slot may come back).
    /// </summary>
    private bool TryClaim()
    {
        if (options.MaxChanges <= 0)
        {
            return true;
        }

        if (Interlocked.Increment(ref _started) <= options.MaxChanges)
        {
            return true;
        }

        Interlocked.Decrement(ref _started);
        return false;
    }

    private async Task<bool> CameraAsync(Random random, CancellationToken cancellationToken)
    {
        var plant = Plants.All[random.Next(Plants.All.Count)];
        var jpeg = LeafImages.Jpeg(random.Next(), diseased: random.Next(3) > 0, options.ImageSize);
        // Fields around Mistelbach, Lower Austria, as in the original data.
        await api.CreateAsync(plant, random.Next(1, 11), 48.4 + (random.NextDouble() * 0.4), 16.4 + (random.NextDouble() * 0.6), jpeg, cancellationToken)
            .ConfigureAwait(false);
        return true;
    }

    private async Task<bool> RecognizeAsync(Random random, CancellationToken cancellationToken)
    {
        var plant = Plants.All[random.Next(Plants.All.Count)];
        var image = await api.RandomAsync(plant, isActive: null, hasDisease: false, cancellationToken).ConfigureAwait(false);
        if (image is null)
        {
            return false;
        }

        var diseases = Plants.Diseases(plant);
        var update = new PlantImageUpdate(image.Id, Disease: diseases[random.Next(diseases.Count)], Percentage: Math.Round(0.6 + (random.NextDouble() * 0.399), 3));
        return await api.UpdateAsync(plant, update, cancellationToken).ConfigureAwait(false) is not null;
    }

    private async Task<bool> ActivateAsync(Random random, CancellationToken cancellationToken)
    {
        var plant = Plants.All[random.Next(Plants.All.Count)];
        var image = await api.RandomAsync(plant, isActive: null, hasDisease: null, cancellationToken).ConfigureAwait(false);
        return image is not null
            && await api.UpdateAsync(plant, new PlantImageUpdate(image.Id, IsActive: !image.IsActive), cancellationToken).ConfigureAwait(false) is not null;
    }

    private async Task<bool> EditAsync(Random random, CancellationToken cancellationToken)
    {
        var plant = Plants.All[random.Next(Plants.All.Count)];
        var image = await api.RandomAsync(plant, isActive: null, hasDisease: null, cancellationToken).ConfigureAwait(false);
        if (image is null)
        {
            return false;
        }

        var update = new PlantImageUpdate(
            image.Id,
            CameraId: random.Next(1, 11),
            Coordinates: (Math.Round(image.Latitude + ((random.NextDouble() - 0.5) * 0.001), 6), Math.Round(image.Longitude + ((random.NextDouble() - 0.5) * 0.001), 6)));
        return await api.UpdateAsync(plant, update, cancellationToken).ConfigureAwait(false) is not null;
    }

    private async Task<bool> DeleteAsync(Random random, CancellationToken cancellationToken)
    {
        var plant = Plants.All[random.Next(Plants.All.Count)];
        var image = await api.RandomAsync(plant, isActive: null, hasDisease: null, cancellationToken).ConfigureAwait(false);
        return image is not null && await api.DeleteAsync(plant, image.Id, cancellationToken).ConfigureAwait(false);
    }
}
