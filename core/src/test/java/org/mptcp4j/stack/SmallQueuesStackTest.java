package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.tcp.TcpState;

/**
 * TCP Small Queues at the stack's edge ({@link Stack#setSmallQueues}): once the device holds more
 * than the limit of a connection's data (here two segments: no offload, a 100 ms round trip, so
 * a millisecond at the pacing rate is less than a segment), the stack sends no more of it though
 * the congestion window has room; each packet the driver reports gone lets the next one out.
 * Pure ACKs carry no charge.
 */
class SmallQueuesStackTest {
    private static final long SEED = 3;

    private record Sent(Transmit transmit, int payload) {}

    /** What the client writes now, without handing anything to the wire. */
    private static List<Sent> drain(Pair pair) {
        List<Sent> sent = new ArrayList<>();
        ByteBuffer out = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
        Transmit t;
        while ((t = pair.client.pollTransmit(pair.now(), out.clear())) != null) {
            int tcp = (out.get(0) & 0x0F) * 4;
            int payload = t.length() - tcp - ((out.get(tcp + 12) & 0xF0) >>> 4) * 4;
            sent.add(new Sent(t, payload));
        }
        return sent;
    }

    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {false, true})
    void theDeviceHoldsTwoSegments_eachDepartureLetsTheNextOneOut(boolean mptcp) {
        Pair pair = new Pair(StackConfig.defaults().withMptcpEnabled(mptcp), SEED);
        pair.toServer.delayNanos = Nanos.ofMillis(50);
        pair.toClient.delayNanos = Nanos.ofMillis(50);
        pair.server.listen(pair.serverAddress(), 8);
        ConnHandle h = pair.client.connect(pair.now(), null, pair.serverAddress());
        pair.driveUntil(() -> pair.client.info(h) != null && pair.client.info(h).state() == TcpState.ESTABLISHED
                && pair.client.info(h).srttNanos() > 0, Nanos.ofSeconds(5), 10_000);
        pair.flush();
        pair.client.setSmallQueues(true);

        pair.client.write(pair.now(), h, ByteBuffer.allocate(64 * 1024));
        List<Sent> first = drain(pair);
        long cwnd = pair.client.info(h).cwndBytes();
        long inFlight = pair.client.info(h).bytesInFlight();

        assertThat(first).as("seed %d", SEED).allSatisfy(s -> assertThat(s.transmit().charge()).isNotNull());
        int segment = first.getFirst().payload();
        // Over the limit of two segments after the third: the window (ten segments) had room for more.
        assertThat(first).as("seed %d", SEED).hasSize(3);
        assertThat(inFlight + segment).as("seed %d: cwnd %d", SEED, cwnd).isLessThanOrEqualTo(cwnd);

        pair.client.transmitted(first.get(0).transmit().charge(), first.get(0).payload());
        List<Sent> next = drain(pair);
        assertThat(next).as("one departure, one segment; seed %d", SEED).hasSize(1);

        pair.client.transmitted(first.get(1).transmit().charge(), first.get(1).payload());
        pair.client.transmitted(first.get(2).transmit().charge(), first.get(2).payload());
        assertThat(drain(pair)).as("two more departures, two more segments; seed %d", SEED).hasSize(2);
    }

    @ParameterizedTest(name = "mptcp={0}")
    @ValueSource(booleans = {false, true})
    void pureAcksCarryNoCharge(boolean mptcp) {
        Pair pair = new Pair(StackConfig.defaults().withMptcpEnabled(mptcp), SEED);
        pair.server.setSmallQueues(true);
        pair.server.listen(pair.serverAddress(), 8);
        ConnHandle h = pair.client.connect(pair.now(), null, pair.serverAddress());
        pair.driveUntil(() -> pair.client.info(h) != null && pair.client.info(h).state() == TcpState.ESTABLISHED,
                Nanos.ofSeconds(5), 10_000);
        pair.flush();
        // The client's data straight into the server, whose only answers are ACKs.
        pair.client.write(pair.now(), h, ByteBuffer.allocate(30_000));
        ByteBuffer out = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
        ByteBuffer answer = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
        List<Transmit> acks = new ArrayList<>();
        while (pair.client.pollTransmit(pair.now(), out.clear()) != null) {
            pair.server.handleInbound(pair.now(), out.flip());
            Transmit t;
            while ((t = pair.server.pollTransmit(pair.now(), answer.clear())) != null) {
                acks.add(t);
            }
        }
        pair.server.handleTimeout(pair.now() + Nanos.ofSeconds(1)); // the delayed ACK, if one is owed
        Transmit t;
        while ((t = pair.server.pollTransmit(pair.now() + Nanos.ofSeconds(1), answer.clear())) != null) {
            acks.add(t);
        }
        assertThat(acks).as("seed %d", SEED).isNotEmpty().allSatisfy(a -> assertThat(a.charge()).isNull());
    }
}
