package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.mptcp.PmEvent;

/**
 * The path manager chosen per connection ({@link Stack#setPathManager}) over the stack's, and the
 * monitor's events of that connection, between two stacks sending both ways at once under loss.
 */
class PathManagerChoiceTest {
    private static final long SEED = 41;

    @Test
    void connectionChoosesNdiffports_stackRunsKernel_twoSubflowsFromTwoPorts_streamsIntact() {
        Pair pair = new Pair(StackConfig.defaults(), SEED);
        MptcpPairTest.lossy(pair, 0.01);
        pair.client.setPmMonitor(true);
        MptcpPairTest.Exchange x = new MptcpPairTest.Exchange(pair, 2_000_000);
        pair.client.setPathManager(x.client, "ndiffports");
        List<MptcpInfo> seen = new ArrayList<>();
        List<PmEvent> events = new ArrayList<>();

        x.run(Nanos.ofSeconds(300));
        // After both DATA_FINs the subflows close: the monitor reports the join's SF_CLOSED, then CLOSED.
        pair.driveUntil(() -> {
            seen.add(pair.client.mptcpInfo(x.client));
            for (PmEvent e = pair.client.pollPmEvent(); e != null; e = pair.client.pollPmEvent()) {
                events.add(e);
            }
            return events.stream().anyMatch(e -> e.type() == PmEvent.Type.CLOSED);
        }, Nanos.ofSeconds(5), Long.MAX_VALUE);

        MptcpPairTest.assertIntact(x, SEED);
        assertThat(seen.getFirst().pathManager()).isEqualTo("ndiffports");
        assertThat(pair.client.config().mptcp().pathManager()).isEqualTo("kernel");
        assertThat(events).extracting(PmEvent::type).as("seed %d: %s", SEED, events).containsExactly(PmEvent.Type.CREATED,
                PmEvent.Type.ESTABLISHED, PmEvent.Type.SUB_ESTABLISHED, PmEvent.Type.SUB_CLOSED, PmEvent.Type.CLOSED);
        PmEvent join = events.get(2);
        assertThat(join.local().orElseThrow().getAddress()).isEqualTo(Pair.CLIENT_ADDR);
        assertThat(join.local().orElseThrow().getPort()).isNotEqualTo(events.get(0).local().orElseThrow().getPort());
        assertThat(join.remote()).isEqualTo(events.get(0).remote());
    }

    @Test
    void setPathManager_unknownName_orOnceEstablished_refused() {
        Pair pair = new Pair(StackConfig.defaults().withMptcp(MptcpConfig.defaults().withPathManager("userspace")), SEED);
        MptcpPairTest.Exchange x = new MptcpPairTest.Exchange(pair, 10_000);
        assertThatThrownBy(() -> pair.client.setPathManager(x.client, "binder"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fullmesh");

        x.run(Nanos.ofSeconds(30));

        MptcpPairTest.assertIntact(x, SEED);
        assertThatThrownBy(() -> pair.client.setPathManager(x.client, "fullmesh")).isInstanceOf(IllegalStateException.class);
        assertThat(pair.client.pollPmEvent()).as("the monitor is off unless asked for").isNull();
    }
}
