using Weir.Pipelines.Lpbf.Formats;

namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// Q3: DBSCAN over the outliers' (row, column) positions with scikit-learn's semantics as the reference calls it
/// (eps = 20 inclusive, min_samples = 5 counting the point itself, Euclidean): clusters are created walking the
/// points in scan order, each still-unlabelled core point starts one, a cluster takes every still-unlabelled point
/// density-reachable from it (so a border point reachable from two clusters belongs to the first), noise is
/// dropped. Centroids are reported in creation order.
/// <para>
/// How it is fast. Points sit on the pixel grid with at most one per pixel, so the disc of radius 20 around a point
/// is 41 row segments of known half-widths. Points are kept by row with columns sorted (<see cref="Outliers"/>),
/// so counting a segment is two binary searches and core tests stop at the fifth neighbour. Expanding a cluster
/// visits each segment's still-unlabelled points through skip pointers ("next unlabelled at or after i", with path
/// compression), so a labelled point is never looked at again: the cost is about 41 searches per core point
/// instead of a scan of every neighbour, and nothing is allocated per tile.
/// </para>
/// </summary>
internal sealed class OutlierClusterer
{
    private const int Eps = LpbfConstants.DbscanEps;

    /// <summary>HalfWidth[|dr|] = the largest |dc| with dr² + dc² ≤ eps².</summary>
    private static readonly int[] HalfWidth = BuildHalfWidths();

    /// <summary>Rows visited nearest first, so that core tests usually stop within a few rows.</summary>
    private static readonly int[] RowOrder = BuildRowOrder();

    private bool[] _core = [];
    private int[] _label = [];
    private int[] _next = [];
    private int[] _stack = [];

    /// <summary>Clusters <paramref name="outliers"/> and appends one centroid per cluster, in creation order.</summary>
    public void Cluster(Outliers outliers, List<Centroid> centroids)
    {
        var n = outliers.Count;
        if (n == 0)
        {
            return;
        }

        Prepare(n);
        var row = outliers.RowArray;
        var col = outliers.ColArray;
        var rowStart = outliers.RowStartArray;
        var rows = outliers.Rows;
        for (var i = 0; i < n; i++)
        {
            _core[i] = IsCore(row[i], col[i], row, col, rowStart, rows);
            _label[i] = -1;
            _next[i] = i;
        }

        _next[n] = n;
        var clusters = 0;
        foreach (var seed in outliers.ScanOrder)
        {
            if (_label[seed] != -1 || !_core[seed])
            {
                continue;
            }

            var cluster = clusters++;
            long sumRow = 0, sumCol = 0;
            var members = 0;
            var top = 0;
            Take(seed);
            while (top > 0)
            {
                var q = _stack[--top];
                if (!_core[q])
                {
                    continue;
                }

                var qr = row[q];
                var qc = col[q];
                for (var dr = -Eps; dr <= Eps; dr++)
                {
                    var rr = qr + dr;
                    if ((uint)rr >= (uint)rows)
                    {
                        continue;
                    }

                    var end = rowStart[rr + 1];
                    var width = HalfWidth[Math.Abs(dr)];
                    var last = qc + width;
                    for (var j = Find(LowerBound(col, rowStart[rr], end, qc - width)); j < end && col[j] <= last; j = Find(j + 1))
                    {
                        Take(j);
                    }
                }
            }

            centroids.Add(new Centroid(sumRow / (double)members, sumCol / (double)members, members));

            void Take(int point)
            {
                _label[point] = cluster;
                _next[point] = point + 1;
                sumRow += row[point];
                sumCol += col[point];
                members++;
                _stack[top++] = point;
            }
        }
    }

    private void Prepare(int n)
    {
        if (_label.Length < n)
        {
            var capacity = Math.Max(n, 1024);
            _core = new bool[capacity];
            _label = new int[capacity];
            _next = new int[capacity + 1];
            _stack = new int[capacity];
        }
    }

    /// <summary>True when at least min_samples points (the point included) lie within eps.</summary>
    private static bool IsCore(int r, int c, int[] row, int[] col, int[] rowStart, int rows)
    {
        var count = 0;
        foreach (var dr in RowOrder)
        {
            var rr = r + dr;
            if ((uint)rr >= (uint)rows)
            {
                continue;
            }

            var start = rowStart[rr];
            var end = rowStart[rr + 1];
            if (start == end)
            {
                continue;
            }

            var width = HalfWidth[Math.Abs(dr)];
            count += LowerBound(col, start, end, c + width + 1) - LowerBound(col, start, end, c - width);
            if (count >= LpbfConstants.DbscanMinSamples)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first unlabelled point at or after i (or the sentinel n), compressing the path as it goes.</summary>
    private int Find(int i)
    {
        var root = i;
        while (_next[root] != root)
        {
            root = _next[root];
        }

        while (_next[i] != root)
        {
            var following = _next[i];
            _next[i] = root;
            i = following;
        }

        return root;
    }

    /// <summary>The first index in [start, end) whose column is ≥ value (end when none).</summary>
    private static int LowerBound(int[] col, int start, int end, int value)
    {
        while (start < end)
        {
            var mid = (start + end) >>> 1;
            if (col[mid] < value)
            {
                start = mid + 1;
            }
            else
            {
                end = mid;
            }
        }

        return start;
    }

    private static int[] BuildHalfWidths()
    {
        var widths = new int[Eps + 1];
        for (var dr = 0; dr <= Eps; dr++)
        {
            var w = 0;
            while ((w + 1) * (w + 1) + dr * dr <= Eps * Eps)
            {
                w++;
            }

            widths[dr] = w;
        }

        return widths;
    }

    private static int[] BuildRowOrder()
    {
        var order = new int[2 * Eps + 1];
        order[0] = 0;
        for (var d = 1; d <= Eps; d++)
        {
            order[2 * d - 1] = -d;
            order[2 * d] = d;
        }

        return order;
    }
}
