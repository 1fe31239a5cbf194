namespace Weir.Pipelines.Rtls.Simulation;

/// <summary>Which topic a simulated packet goes to.</summary>
internal enum SimTopic
{
    /// <summary><c>packet_data</c>: AnchorData.</summary>
    Data,

    /// <summary><c>packet_alive</c>: AnchorAlive.</summary>
    Alive,
}

/// <summary>A packet as the bridge would forward it: measured at <see cref="EventMs"/>, delivered at <see cref="DeliveryMs"/>.</summary>
internal readonly record struct SimPacket(SimTopic Topic, string AnchorId, byte[] Value, long EventMs, long DeliveryMs);

/// <summary>Where a tag really was when it was ranged (what trilateration should find).</summary>
internal readonly record struct TruthSample(string TagId, long TimestampMs, Point2 Position);

/// <summary>
/// Simulated UWB anchors and tags on a floor plan. Each step (one ranging interval) every live anchor reports
/// its noisy distance to every tag in range, one AnchorData per (anchor, tag) as the firmware does, and sends
/// heartbeats; packets are dropped, duplicated and delayed (so they arrive out of order within a bound) as
/// configured. Deterministic for a seed, and independent of the wall clock: a live publisher paces the steps,
/// a backlog publisher runs them as fast as it can with synthetic timestamps.
/// </summary>
internal sealed class RtlsSimulator
{
    private readonly FloorPlan _plan;
    private readonly RtlsSimulatorOptions _options;
    private readonly Random _random;
    private readonly TagWalker[] _tags;
    private readonly (string Id, Point2 Position)[] _anchors;
    private readonly long[] _nextHeartbeat;
    private readonly PriorityQueue<SimPacket, (long Delivery, long Sequence)> _inFlight = new();
    private long _sequence;

    public RtlsSimulator(FloorPlan plan, RtlsSimulatorOptions options, long startMs)
    {
        options.Validate();
        foreach (var outage in options.Outages)
        {
            if (!plan.Anchors.TryGet(outage.AnchorId, out _))
            {
                throw new ArgumentException($"outage of unknown anchor '{outage.AnchorId}'; the plan's anchors are {string.Join(", ", plan.Anchors.Ids.Order(StringComparer.Ordinal))}");
            }
        }

        _plan = plan;
        _options = options;
        _random = new Random(options.Seed);
        StartMs = startMs;
        NowMs = startMs;
        _anchors = plan.Anchors.Entries.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => (a.Key, a.Value)).ToArray();
        _nextHeartbeat = new long[_anchors.Length];
        for (var i = 0; i < _anchors.Length; i++)
        {
            _nextHeartbeat[i] = startMs + _random.NextInt64(options.HeartbeatMs);
        }

        var neighbours = TagWalker.Neighbours(plan);
        _tags = new TagWalker[options.Tags];
        for (var i = 0; i < _tags.Length; i++)
        {
            _tags[i] = new TagWalker(TagId(i), plan, neighbours, _random, options.Speed,
                _random.NextDouble() < options.DetachedProbability, _random.NextDouble() < options.BatteryLowProbability);
        }
    }

    public long StartMs { get; }

    /// <summary>The simulation clock: the start of the next step.</summary>
    public long NowMs { get; private set; }

    public long Measured { get; private set; }

    public long Dropped { get; private set; }

    public long Duplicated { get; private set; }

    public IReadOnlyList<TagWalker> Tags => _tags;

    /// <summary>Tag ids are 16 hex digits, as the firmware's 8-byte EUIs.</summary>
    public static string TagId(int index) => $"{0xDECA_0000_0000_0000UL | (uint)index:X16}";

    public bool IsAnchorDown(string anchorId, long atMs)
    {
        foreach (var outage in _options.Outages)
        {
            if (outage.AnchorId == anchorId && outage.IsDown(atMs - StartMs))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Runs one ranging interval and appends the packets delivered before its end, in delivery order (later
    /// deliveries stay in flight for the next step), and the true tag positions of this step.
    /// </summary>
    public void Step(List<SimPacket> packets, List<TruthSample>? truth = null)
    {
        var t = NowMs;
        var end = t + _options.IntervalMs;
        var maxRange = _plan.MaxRange;
        for (var a = 0; a < _anchors.Length; a++)
        {
            var (anchorId, _) = _anchors[a];
            for (; _nextHeartbeat[a] < end; _nextHeartbeat[a] += _options.HeartbeatMs)
            {
                if (!IsAnchorDown(anchorId, _nextHeartbeat[a]))
                {
                    Send(SimTopic.Alive, anchorId, RtlsPackets.EncodeAlive(anchorId, _nextHeartbeat[a]), _nextHeartbeat[a]);
                }
            }
        }

        Span<bool> down = _anchors.Length <= 256 ? stackalloc bool[_anchors.Length] : new bool[_anchors.Length];
        for (var a = 0; a < _anchors.Length; a++)
        {
            down[a] = IsAnchorDown(_anchors[a].Id, t);
        }

        foreach (var tag in _tags)
        {
            truth?.Add(new TruthSample(tag.Id, t, tag.Position));
            for (var a = 0; a < _anchors.Length; a++)
            {
                if (down[a])
                {
                    continue;
                }

                var (anchorId, anchor) = _anchors[a];
                var distance = tag.Position.DistanceTo(anchor);
                if (distance > maxRange)
                {
                    continue;
                }

                var measured = Math.Abs(distance + (_options.NoiseStdDev * Gaussian()));
                if (measured <= 0.00001)
                {
                    continue; // the firmware does not report a zero range
                }

                Measured++;
                Send(SimTopic.Data, anchorId, RtlsPackets.EncodeData(anchorId, t, [(tag.Id, (float)measured, tag.Detached, tag.BatteryLow)]), t);
            }

            tag.Advance(_options.IntervalMs / 1000.0);
        }

        NowMs = end;
        Release(end, packets);
    }

    /// <summary>Delivers everything still in flight (end of a run).</summary>
    public void Drain(List<SimPacket> packets) => Release(long.MaxValue, packets);

    private void Send(SimTopic topic, string anchorId, byte[] value, long eventMs)
    {
        if (_options.DropProbability > 0 && _random.NextDouble() < _options.DropProbability)
        {
            Dropped++;
            return;
        }

        Enqueue(topic, anchorId, value, eventMs);
        if (_options.DuplicateProbability > 0 && _random.NextDouble() < _options.DuplicateProbability)
        {
            Duplicated++;
            Enqueue(topic, anchorId, value, eventMs);
        }
    }

    private void Enqueue(SimTopic topic, string anchorId, byte[] value, long eventMs)
    {
        var delivery = eventMs + (_options.ReorderMs > 0 ? _random.NextInt64(_options.ReorderMs + 1) : 0);
        _inFlight.Enqueue(new SimPacket(topic, anchorId, value, eventMs, delivery), (delivery, _sequence++));
    }

    private void Release(long beforeMs, List<SimPacket> packets)
    {
        while (_inFlight.TryPeek(out var packet, out var order) && order.Delivery < beforeMs)
        {
            _inFlight.Dequeue();
            packets.Add(packet);
        }
    }

    private double Gaussian()
    {
        // Box–Muller; one of the pair is enough here.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
