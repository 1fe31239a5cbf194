using System.Text;
using Weir.Pipelines.Rtls;

namespace Weir.Rtls.Tests;

public sealed class AnchorLivenessTests
{
    private const long T0 = 1_700_000_000_000;

    [Fact]
    public void An_anchor_is_dead_once_event_time_passes_its_last_heartbeat_plus_the_timeout_and_alive_again_on_the_next()
    {
        var liveness = new AnchorLiveness(timeoutMs: 30_000);
        var state = new AnchorLivenessState();

        var changes = new List<AliveChange>();
        Assert.Equal(T0 + 30_000, liveness.OnHeartbeat(state, "A2", T0, changes));
        Assert.Empty(changes);
        Assert.Equal(T0 + 32_000, liveness.OnHeartbeat(state, "A2", T0 + 2_000, changes));

        Assert.Null(liveness.OnTimer(state, "A2", T0 + 30_000)); // superseded by the heartbeat at +2 s
        var dead = liveness.OnTimer(state, "A2", T0 + 32_000);
        Assert.Equal(new AliveChange("A2", false, T0 + 2_000, T0 + 32_000), dead);
        Assert.Equal("""{"anchorid":"A2","alive":false,"last_seen":1700000002}""", Encoding.UTF8.GetString(RtlsJson.Alive(dead!.Value)));
        Assert.Null(liveness.OnTimer(state, "A2", T0 + 40_000)); // said once

        Assert.Equal(T0 + 100_000, liveness.OnHeartbeat(state, "A2", T0 + 70_000, changes));
        Assert.Equal([new AliveChange("A2", true, T0 + 70_000, T0 + 70_000)], changes);
    }

    [Fact]
    public void Out_of_order_heartbeats_do_not_move_last_seen_back()
    {
        var liveness = new AnchorLiveness(timeoutMs: 10_000);
        var state = new AnchorLivenessState();

        liveness.OnHeartbeat(state, "A0", T0 + 5_000, []);
        Assert.Null(liveness.OnHeartbeat(state, "A0", T0, []));

        Assert.Equal(T0 + 5_000, state.LastSeenMs);
        Assert.Null(liveness.OnTimer(state, "A0", T0 + 10_000));
        Assert.NotNull(liveness.OnTimer(state, "A0", T0 + 15_000));
    }

    [Fact]
    public void A_silence_that_event_time_jumped_over_is_reported_when_the_next_heartbeat_ends_it()
    {
        var liveness = new AnchorLiveness(timeoutMs: 30_000);
        var state = new AnchorLivenessState();
        var changes = new List<AliveChange>();

        liveness.OnHeartbeat(state, "A2", T0, changes);
        liveness.OnHeartbeat(state, "A2", T0 + 60_000, changes); // no timer fired in between (one batch)

        Assert.Equal([new AliveChange("A2", false, T0, T0 + 30_000), new AliveChange("A2", true, T0 + 60_000, T0 + 60_000)], changes);
        Assert.Null(liveness.OnTimer(state, "A2", T0 + 30_000));
    }
}
