using Weir.Pipelines.Lpbf.Formats;

namespace Weir.Lpbf.Tests;

/// <summary>
/// The queries written as literally as the definition reads (and as the organisers' demo client loops): every
/// neighbour of every pixel visited one by one, DBSCAN by brute-force neighbourhoods and scikit-learn's expansion
/// loop. Slow on purpose; the fast kernels must agree with it exactly.
/// </summary>
internal static class LiteralQueries
{
    public static int Saturated(ushort[] tile) => tile.Count(v => v > 65000);

    /// <summary>Outliers (x = row, y = column, deviation) in scan order: columns outer, rows inner.</summary>
    public static List<(int X, int Y, double D)> Outliers(ushort[][] window, int rows, int cols)
    {
        var depth = window.Length;
        double At(int d, int x, int y) => x < 0 || x >= rows || y < 0 || y >= cols ? 0.0 : window[d][x * cols + y];
        var outliers = new List<(int, int, double)>();
        for (var y = 0; y < cols; y++)
        {
            for (var x = 0; x < rows; x++)
            {
                var centre = At(depth - 1, x, y);
                if (centre <= 5000 || centre >= 65000)
                {
                    continue;
                }

                double closeSum = 0, outerSum = 0;
                int closeCount = 0, outerCount = 0;
                for (var j = -4; j <= 4; j++)
                {
                    for (var i = -4; i <= 4; i++)
                    {
                        for (var d = 0; d < depth; d++)
                        {
                            var distance = Math.Abs(i) + Math.Abs(j) + Math.Abs(depth - 1 - d);
                            if (distance <= 2)
                            {
                                closeSum += At(d, x + i, y + j);
                                closeCount++;
                            }
                            else if (distance <= 4)
                            {
                                outerSum += At(d, x + i, y + j);
                                outerCount++;
                            }
                        }
                    }
                }

                var deviation = Math.Abs(closeSum / closeCount - outerSum / outerCount);
                if (deviation > 6000)
                {
                    outliers.Add((x, y, deviation));
                }
            }
        }

        return outliers;
    }

    /// <summary>scikit-learn's DBSCAN(eps=20, min_samples=5) on the points in the given order; centroids by label.</summary>
    public static List<Centroid> Clusters(IReadOnlyList<(int X, int Y)> points)
    {
        var n = points.Count;
        var neighbours = new List<int>[n];
        for (var p = 0; p < n; p++)
        {
            neighbours[p] = [];
            for (var q = 0; q < n; q++)
            {
                var dx = (double)(points[p].X - points[q].X);
                var dy = (double)(points[p].Y - points[q].Y);
                if (Math.Sqrt(dx * dx + dy * dy) <= 20)
                {
                    neighbours[p].Add(q);
                }
            }
        }

        var core = neighbours.Select(list => list.Count >= 5).ToArray();
        var labels = Enumerable.Repeat(-1, n).ToArray();
        var next = 0;
        for (var seed = 0; seed < n; seed++)
        {
            if (labels[seed] != -1 || !core[seed])
            {
                continue;
            }

            // The loop of sklearn.cluster._dbscan_inner: depth first, labelling a point when it is popped.
            var stack = new Stack<int>();
            var i = seed;
            while (true)
            {
                if (labels[i] == -1)
                {
                    labels[i] = next;
                    if (core[i])
                    {
                        foreach (var v in neighbours[i])
                        {
                            if (labels[v] == -1)
                            {
                                stack.Push(v);
                            }
                        }
                    }
                }

                if (stack.Count == 0)
                {
                    break;
                }

                i = stack.Pop();
            }

            next++;
        }

        var centroids = new List<Centroid>();
        for (var label = 0; label < next; label++)
        {
            var members = Enumerable.Range(0, n).Where(p => labels[p] == label).ToList();
            centroids.Add(new Centroid(
                members.Sum(p => (double)points[p].X) / members.Count,
                members.Sum(p => (double)points[p].Y) / members.Count,
                members.Count));
        }

        return centroids;
    }
}
