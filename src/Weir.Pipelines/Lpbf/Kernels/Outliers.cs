namespace Weir.Pipelines.Lpbf.Kernels;

/// <summary>
/// Q2's outliers of one window, reused from window to window. Points are stored in row-major order as they are
/// found (<see cref="Row"/>, <see cref="Col"/>, <see cref="Deviation"/>), with <see cref="RowStart"/> indexing each
/// row's run (what Q3's range queries need), and <see cref="ScanOrder"/> lists them in the reference's scan order:
/// column by column, rows ascending within a column (the order Q3 seeds clusters in and ties are broken by).
/// </summary>
internal sealed class Outliers
{
    private int[] _row = [];
    private int[] _col = [];
    private double[] _deviation = [];
    private int[] _rowStart = [];
    private int[] _scanOrder = [];
    private int[] _columnCounts = [];

    public int Count { get; private set; }

    /// <summary>Rows of the tile the outliers were found in.</summary>
    public int Rows { get; private set; }

    /// <summary>Columns of the tile the outliers were found in.</summary>
    public int Cols { get; private set; }

    public ReadOnlySpan<int> Row => _row.AsSpan(0, Count);

    public ReadOnlySpan<int> Col => _col.AsSpan(0, Count);

    public ReadOnlySpan<double> Deviation => _deviation.AsSpan(0, Count);

    /// <summary>Points of row r are indexes RowStart[r] .. RowStart[r + 1] - 1 (columns ascending).</summary>
    public ReadOnlySpan<int> RowStart => _rowStart.AsSpan(0, Rows + 1);

    /// <summary>Indexes of the points in scan order (columns ascending, then rows ascending).</summary>
    public ReadOnlySpan<int> ScanOrder => _scanOrder.AsSpan(0, Count);

    internal int[] RowArray => _row;

    internal int[] ColArray => _col;

    internal int[] RowStartArray => _rowStart;

    public void Reset(int rows, int cols)
    {
        Rows = rows;
        Cols = cols;
        Count = 0;
        var capacity = rows * cols;
        if (_row.Length < capacity)
        {
            _row = new int[capacity];
            _col = new int[capacity];
            _deviation = new double[capacity];
            _scanOrder = new int[capacity];
        }

        if (_rowStart.Length < rows + 1)
        {
            _rowStart = new int[rows + 1];
        }

        if (_columnCounts.Length < cols + 1)
        {
            _columnCounts = new int[cols + 1];
        }
    }

    /// <summary>Adds a point; points must come in row-major order.</summary>
    public void Add(int row, int col, double deviation)
    {
        var i = Count++;
        _row[i] = row;
        _col[i] = col;
        _deviation[i] = deviation;
    }

    /// <summary>Builds <see cref="RowStart"/> and <see cref="ScanOrder"/> once every point is added.</summary>
    public void Complete()
    {
        var rowStart = _rowStart.AsSpan(0, Rows + 1);
        rowStart.Clear();
        var counts = _columnCounts.AsSpan(0, Cols + 1);
        counts.Clear();
        for (var i = 0; i < Count; i++)
        {
            rowStart[_row[i] + 1]++;
            counts[_col[i] + 1]++;
        }

        for (var r = 0; r < Rows; r++)
        {
            rowStart[r + 1] += rowStart[r];
        }

        for (var c = 0; c < Cols; c++)
        {
            counts[c + 1] += counts[c];
        }

        // A stable counting sort by column of points already in row order gives column-major order.
        for (var i = 0; i < Count; i++)
        {
            _scanOrder[counts[_col[i]]++] = i;
        }
    }
}
