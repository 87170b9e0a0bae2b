package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;

/**
 * Segmentation offload (TSO/GSO): a sender whose device cuts large segments writes new data in
 * segments of up to 64 KB; the wire (the {@link Pair}, as the device would) cuts them into
 * MTU-sized pieces. The receiver must get the stream intact, nothing above the MTU may reach the
 * wire, and loss recovery must work on the pieces the wire saw, for TCP and for MPTCP (whose DSS
 * each piece repeats).
 */
class SegmentationOffloadTest {
    private static Pair pair(boolean mptcp, long seed) {
        StackConfig config = StackConfig.defaults().withMptcpEnabled(mptcp);
        Pair pair = new Pair(config, seed);
        pair.client.setSegmentationOffload(Stack.MAX_PACKET_BYTES);
        pair.toServer.rateBps = 100_000_000;
        pair.toClient.rateBps = 100_000_000;
        return pair;
    }

    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {false, true})
    void cleanPath_largeSegmentsCutOnTheWire_streamIntact(boolean mptcp) {
        Pair pair = pair(mptcp, 1);
        Transfer t = new Transfer(pair, 8 << 20, 7).run(Nanos.ofSeconds(60));

        assertThat(t.received()).isEqualTo(8 << 20);
        assertThat(t.receivedSha256()).isEqualTo(t.sentSha256());
        assertThat(pair.toServer.gsoPackets).as("large segments written").isPositive();
        // Each large segment replaces at least two MSS-sized ones.
        assertThat(pair.toServer.gsoPackets).isLessThan(pair.toServer.delivered / 2);
        assertThat(pair.toServer.mtuDrops).as("pieces above the MTU").isZero();
        if (mptcp) {
            assertThat(pair.server.mib().get(MibCounter.MPTCP_DSS_NOT_MATCHING)).isZero();
            assertThat(pair.client.mptcpInfo(t.clientConn)).isNotNull();
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void lossAndReordering_piecesRecoveredOneByOne(long seed) {
        for (boolean mptcp : new boolean[] {false, true}) {
            Pair pair = pair(mptcp, seed);
            pair.toServer.lossRate = 0.02;
            pair.toClient.lossRate = 0.02;
            pair.toServer.reorderRate = 0.05;
            Transfer t = new Transfer(pair, 4 << 20, seed).run(Nanos.ofSeconds(300));

            assertThat(t.receivedSha256()).as("seed %d, mptcp %s", seed, mptcp).isEqualTo(t.sentSha256());
            assertThat(pair.toServer.gsoPackets).as("seed %d, mptcp %s", seed, mptcp).isPositive();
            assertThat(pair.client.mib().get(MibCounter.TCP_RETRANS_SEGS)).as("seed %d", seed).isPositive();
            assertThat(pair.toServer.mtuDrops).isZero();
        }
    }

    /**
     * Linux sizes a TSO segment to about 1 ms at its rate and lets new data wait for the next ACK
     * until that much can go: at 100 Mbit/s and a 10 ms RTT that is about ten pieces, where sending
     * whatever each ACK opened gave one or two. The transfer must not take longer for it.
     */
    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {false, true})
    void ackClocked_segmentsOfAboutAMillisecond_noSlowerThanWithoutOffload(boolean mptcp) {
        Pair offloaded = pair(mptcp, 5);
        Transfer withOffload = new Transfer(offloaded, 8 << 20, 5).run(Nanos.ofSeconds(60));
        Pair plain = pair(mptcp, 5);
        plain.client.setSegmentationOffload(0);
        Transfer without = new Transfer(plain, 8 << 20, 5).run(Nanos.ofSeconds(60));

        assertThat(withOffload.receivedSha256()).isEqualTo(withOffload.sentSha256());
        assertThat(without.receivedSha256()).isEqualTo(without.sentSha256());
        assertThat((double) offloaded.toServer.delivered / offloaded.toServer.gsoPackets)
                .as("pieces per offloaded segment").isGreaterThan(4);
        assertThat(offloaded.now()).as("completion time, offload on").isLessThanOrEqualTo(plain.now() * 21 / 20);
    }

    @Test
    void offloadOff_onlyMtuSizedSegments() {
        Pair pair = pair(true, 4);
        pair.client.setSegmentationOffload(0);
        Transfer t = new Transfer(pair, 1 << 20, 4).run(Nanos.ofSeconds(60));
        assertThat(t.receivedSha256()).isEqualTo(t.sentSha256());
        assertThat(pair.toServer.gsoPackets).isZero();
    }
}
