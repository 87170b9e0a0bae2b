package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.PcapTap;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.StackConfig;

/**
 * TCP over the simulator replays bit for bit: the same seed gives the same capture, byte for
 * byte, of a transfer in both directions at once over lossy, reordering links (each host's ISNs,
 * ports and timestamps, and each link's losses, come from the seed); another seed gives another.
 * Each run also checks the exchange itself: both streams intact (SHA-256 both ways), and no
 * segment, SACK blocks and all, above the 1500-byte MTU.
 */
class TcpDeterminismTest {
    private static final long BYTES = 1L << 20;

    /**
     * Runs the exchange to its end (both streams read to end of stream, intact) and returns the
     * pcap of everything both hosts put on the wire.
     */
    private static byte[] capture(long seed) {
        Simulation sim = new Simulation(seed);
        Host a = sim.host("a", "10.0.0.1");
        Host b = sim.host("b", "10.0.0.2");
        LinkSpec lossy = LinkSpec.of(50_000_000, Duration.ofMillis(10)).withLoss(LossModel.bernoulli(0.02))
                .withReordering(0.01, Duration.ofMillis(3));
        DuplexLink link = sim.connect(a, b, lossy);
        a.route("0.0.0.0/0", link.aToB());
        b.route("0.0.0.0/0", link.bToA());
        ByteArrayOutputStream pcap = new ByteArrayOutputStream();
        long packets;
        boolean done;
        Exchange client = Exchange.client(address("10.0.0.2"), 5001, BYTES, 1);
        Exchange server = Exchange.server(5001, BYTES, 2);
        try (PcapTap tap = PcapTap.open(pcap)) {
            tap.watch(link.aToB(), PcapTap.Point.TRANSMIT).watch(link.bToA(), PcapTap.Point.TRANSMIT);
            b.attach(new StackEndpoint(StackConfig.defaults()).add(server));
            a.attach(new StackEndpoint(StackConfig.defaults()).add(client));
            done = sim.runUntil(() -> client.isDone() && server.isDone(), Nanos.ofSeconds(60));
            packets = tap.packetsWritten();
        }
        String state = "seed " + seed + ": " + client + " / " + server + ", links " + link.aToB().counters() + " / "
                + link.bToA().counters();
        assertThat(done).as(state).isTrue();
        assertThat(server.receivedSha256()).as(state).isEqualTo(client.sentSha256());
        assertThat(client.receivedSha256()).as(state).isEqualTo(server.sentSha256());
        assertThat(packets).as(state).isGreaterThan(1400); // 2 x 1 MiB in 1448-byte segments, and ACKs
        assertThat(link.aToB().counters().droppedLoss() + link.bToA().counters().droppedLoss())
                .as(state).isPositive();
        assertThat(link.aToB().counters().mtuDrops() + link.bToA().counters().mtuDrops()).as(state).isZero();
        return pcap.toByteArray();
    }

    @Test
    void sameSeed_givesByteIdenticalPcaps() {
        byte[] first = capture(42);
        byte[] second = capture(42);

        assertThat(second).as("seed 42").isEqualTo(first);
    }

    @Test
    void anotherSeed_givesADifferentPcap() {
        assertThat(capture(43)).as("seeds 42 and 43").isNotEqualTo(capture(42));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
