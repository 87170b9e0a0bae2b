package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpSegment;

/**
 * The stack's timer queue with many connections: a busy connection that loses its first SYN and
 * the tail of its data (SYN retransmission, loss probe, backed-off retransmission timeouts) beside
 * idle established connections whose keepalive timers fire. With 1 000 idle neighbours, every
 * connection sends the same segments at the same virtual times as with one. At every step the
 * timer queue is checked against what the scan over all connections it replaced would find
 * ({@link Stack#checkInvariants()}, called by {@link Pair#step()}).
 */
class StackTimerScaleTest {
    private static final int IDLE_PORT = 5002;
    private static final long SEED = 20261130;

    /** One segment on the wire, without the sequence numbers (they differ with the ports). */
    record Seen(long atNanos, boolean toServer, int flags, int payload) {}

    /** A run: {@code idle} idle connections opened at time 0, then a 300 kB transfer, then 5 s of quiet. */
    private static final class Run {
        final Pair pair;
        /** Segments by connection (client port), idle ones first in opening order. */
        final Map<Integer, List<Seen>> byConnection = new LinkedHashMap<>();
        final List<Integer> idlePorts = new ArrayList<>();
        int busyPort = -1;
        int busyDataSent;
        boolean busySynDropped;

        Run(int idle) {
            // Plain TCP: the test reads TCP's own timers off full 1448-byte segments (an MPTCP
            // subflow's carry a DSS and less payload); connection-level timers have their own tests.
            StackConfig cfg = StackConfig.defaults().withKeepaliveIdleNanos(Nanos.ofSeconds(2))
                    .withKeepaliveIntervalNanos(Nanos.ofMillis(500)).withMaxSynBacklog(4096).withMptcpEnabled(false);
            pair = new Pair(cfg, SEED);
            pair.toServer.dropIf = bytes -> see(bytes, true);
            pair.toClient.dropIf = bytes -> see(bytes, false);

            ListenerHandle l = pair.server.listen(new InetSocketAddress(pair.serverAddr, IDLE_PORT), 4096);
            for (int i = 0; i < idle; i++) {
                pair.client.connect(pair.now(), null, new InetSocketAddress(pair.serverAddr, IDLE_PORT));
            }
            int accepted = 0;
            while (accepted < idle) {
                assertThat(pair.step()).as("seed %d: handshakes still to do", SEED).isTrue();
                while (pair.server.accept(l) != null) {
                    accepted++;
                }
            }
            Transfer t = new Transfer(pair, 300_000, SEED).run(Nanos.ofSeconds(60));
            assertThat(t.receivedSha256()).as("seed %d: the transfer arrived intact", SEED).isEqualTo(t.sentSha256());
            pair.driveIdle(Nanos.ofSeconds(5));
        }

        /** Records the segment; drops the busy connection's 200th to 214th data transmissions (the tail and its first retransmissions). */
        private boolean see(byte[] bytes, boolean toServer) {
            DecodeResult<TcpPacket> d = TcpPackets.decode(ByteBuffer.wrap(bytes));
            TcpSegment seg = ((DecodeResult.Ok<TcpPacket>) d).value().tcp();
            int clientPort = toServer ? seg.srcPort() : seg.dstPort();
            int serverPort = toServer ? seg.dstPort() : seg.srcPort();
            byConnection.computeIfAbsent(clientPort, p -> {
                (serverPort == IDLE_PORT ? idlePorts : new ArrayList<Integer>()).add(p);
                return new ArrayList<>();
            }).add(new Seen(pair.now(), toServer, seg.flags(), seg.payloadLength()));
            if (serverPort != Pair.SERVER_PORT) {
                return false;
            }
            busyPort = clientPort;
            if (toServer && (seg.flags() & TcpFlags.SYN) != 0 && !busySynDropped) {
                busySynDropped = true; // the first SYN: the connection retries after its initial RTO
                return true;
            }
            if (toServer && seg.payloadLength() > 0) {
                busyDataSent++;
                return busyDataSent >= 200 && busyDataSent < 215;
            }
            return false;
        }
    }

    @Test
    void aThousandIdleNeighbours_sameSegmentsAtTheSameTimes() {
        Run one = new Run(1);
        Run many = new Run(1000);

        // The run exercises timers: the burst loss ends in a retransmission timeout or loss probe,
        // and every idle connection sends keepalive probes into the quiet period.
        long timerEvents = one.pair.client.mib().get(MibCounter.TCP_TIMEOUTS)
                + one.pair.client.mib().get(MibCounter.TCP_LOSS_PROBES);
        assertThat(timerEvents).as("seed %d: retransmission timeouts and loss probes", SEED).isPositive();
        assertThat(one.pair.client.mib().get(MibCounter.TCP_KEEPALIVE)).as("seed %d: keepalive probes", SEED)
                .isPositive();

        assertThat(many.byConnection.get(many.busyPort)).as("seed %d: the busy connection's segments", SEED)
                .isEqualTo(one.byConnection.get(one.busyPort));
        List<Seen> idleAlone = one.byConnection.get(one.idlePorts.get(0));
        // The timers fire when they should: the first keepalive 2 s after the handshake's last
        // segment (10 ms), the lost SYN again after the initial RTO of 1 s, and the lost tail's
        // retransmissions at backed-off RTOs, each twice the one before (RFC 6298 5.5).
        assertThat(idleAlone.get(3)).isEqualTo(new Seen(Nanos.ofMillis(2010), true, TcpFlags.ACK, 0));
        List<Seen> busy = one.byConnection.get(one.busyPort);
        List<Long> syns = busy.stream().filter(x -> x.flags() == TcpFlags.SYN).map(Seen::atNanos).toList();
        assertThat(syns).containsExactly(Nanos.ofMillis(15), Nanos.ofMillis(1015));
        List<Long> lone = busy.stream().filter(x -> x.toServer() && x.payload() == 1448)
                .map(Seen::atNanos).filter(t -> busy.stream().filter(x -> x.toServer() && x.atNanos() == t).count() == 1)
                .toList();
        assertThat(lone).as("seed %d: retransmissions timed out one by one", SEED).hasSizeGreaterThan(3);
        for (int i = 2; i < lone.size(); i++) {
            assertThat(lone.get(i) - lone.get(i - 1)).as("seed %d: backed-off RTO %d", SEED, i)
                    .isEqualTo(2 * (lone.get(i - 1) - lone.get(i - 2)));
        }
        assertThat(many.idlePorts).hasSize(1000);
        for (int port : many.idlePorts) {
            assertThat(many.byConnection.get(port)).as("seed %d: idle connection from port %d", SEED, port)
                    .isEqualTo(idleAlone);
        }
    }
}
