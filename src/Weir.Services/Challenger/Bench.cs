namespace Weir.Services.Challenger;

/// <summary>
/// One benchmark run: which batches were served when, which results arrived when. All access goes through
/// <see cref="Gate"/>; every change is journaled before it is acknowledged to the client.
/// </summary>
internal sealed class Bench : IDisposable
{
    private readonly BenchJournal _journal;
    private readonly long[] _servedNs;
    private readonly long[] _resultNs;
    private readonly byte[]?[] _results;

    private Bench(BenchRecord record, BenchJournal journal)
    {
        Record = record;
        _journal = journal;
        _servedNs = new long[record.Limit];
        _resultNs = new long[record.Limit];
        _results = new byte[record.Limit][];
    }

    public object Gate { get; } = new();

    public BenchRecord Record { get; private set; }

    public string Id => Record.Id;

    public bool Started => Record.StartedNs != 0;

    public bool Ended => Record.EndedNs != 0;

    /// <summary>Batches served so far (the next one served has this index).</summary>
    public int Served { get; private set; }

    public int Results { get; private set; }

    public static Bench Create(BenchRecord record, string folder)
    {
        var journal = new BenchJournal(folder);
        journal.WriteRecord(record);
        return new Bench(record, journal);
    }

    /// <summary>Reloads a run from its folder; null when the folder holds no run.</summary>
    public static Bench? Load(string folder)
    {
        var record = BenchJournal.ReadRecord(folder);
        if (record is null)
        {
            return null;
        }

        var bench = new Bench(record, new BenchJournal(folder));
        bench._journal.Replay(bench.Apply);
        return bench;
    }

    public void Start(long nowNs)
    {
        Record = Record with { StartedNs = nowNs };
        _journal.WriteRecord(Record);
    }

    /// <summary>Takes the next batch index, or -1 at the end of the stream.</summary>
    public int TakeNext() => Served < Record.Limit ? Served++ : -1;

    public void MarkServed(int batch, long nowNs)
    {
        _servedNs[batch] = nowNs;
        _journal.Append(BenchJournal.Served, batch, nowNs, []);
    }

    /// <summary>Records a result; false when the batch already had one (the first result counts).</summary>
    public bool AddResult(int batch, long nowNs, byte[] body)
    {
        if (_resultNs[batch] != 0)
        {
            return false;
        }

        _journal.Append(BenchJournal.Result, batch, nowNs, body);
        Apply(BenchJournal.Result, batch, nowNs, body);
        return true;
    }

    public byte[]? ResultOf(int batch) => batch >= 0 && batch < _results.Length ? _results[batch] : null;

    public bool WasServed(int batch) => batch >= 0 && batch < Served && _servedNs[batch] != 0;

    public BenchMetrics End(long nowNs)
    {
        if (!Ended)
        {
            Record = Record with { EndedNs = nowNs, StartedNs = Started ? Record.StartedNs : nowNs };
            _journal.WriteRecord(Record);
        }

        return Metrics(nowNs);
    }

    /// <summary>The metrics now (or as of /end once the run ended).</summary>
    public BenchMetrics Metrics(long nowNs)
    {
        var end = Ended ? Record.EndedNs : nowNs;
        var start = Started ? Record.StartedNs : end;
        return BenchMetrics.Compute(_servedNs, _resultNs, Served, start, end);
    }

    public void Dispose() => _journal.Dispose();

    private void Apply(byte kind, int batch, long timeNs, byte[] payload)
    {
        if (batch < 0 || batch >= Record.Limit)
        {
            return;
        }

        if (kind == BenchJournal.Served)
        {
            _servedNs[batch] = timeNs;
            Served = Math.Max(Served, batch + 1);
        }
        else if (kind == BenchJournal.Result && _resultNs[batch] == 0)
        {
            _resultNs[batch] = timeNs;
            _results[batch] = payload;
            Results++;
        }
    }
}
