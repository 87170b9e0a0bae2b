package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.sim.Endpoint;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.HostContext;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.Packet;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.wire.ChecksumPolicy;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;

/**
 * Simulated stacks send with checksum offload, as a Linux device over a veth: no TCP payload is
 * summed between two stacks, yet whatever looks at the bytes (a capture on a link, an endpoint
 * that is not a stack) sees the checksums a wire would carry, and a corrupting link is still
 * caught by the receiver's checksum.
 */
class ChecksumOffloadTest {
    private static final long BYTES = 2L << 20;
    private static final LinkSpec LOSSY = LinkSpec.of(50_000_000, Duration.ofMillis(5))
            .withLoss(LossModel.bernoulli(0.01));

    /** Counts TCP packets an observer saw and those whose checksum did not verify. */
    private static final class ChecksumAudit {
        long packets;
        long bad;

        void observe(long now, Link link, Packet p) {
            packets++;
            ByteBuffer bytes = ByteBuffer.wrap(p.data(), 0, p.length());
            if (!(TcpPackets.decode(bytes, ChecksumPolicy.VERIFY) instanceof DecodeResult.Ok)) {
                bad++;
            }
        }
    }

    @Test
    void bothWaysUnderLoss_everyPacketACaptureSees_carriesACompleteChecksum() {
        long seed = 41;
        Simulation sim = new Simulation(seed);
        Host a = sim.host("a", "198.18.0.1");
        Host b = sim.host("b", "198.18.0.2");
        var link = sim.connect(a, b, LOSSY, LOSSY);
        a.route("0.0.0.0/0", link.aToB());
        b.route("0.0.0.0/0", link.bToA());
        ChecksumAudit sent = new ChecksumAudit();
        ChecksumAudit received = new ChecksumAudit();
        // One capture where a packet starts out, the other where it arrives, each on its own
        // direction, so that each completes what it sees by itself.
        link.aToB().observeTransmit(sent::observe);
        link.bToA().observeReceive(received::observe);
        Exchange server = Exchange.server(5001, BYTES, seed + 1);
        Exchange client = Exchange.client(address("198.18.0.2"), 5001, BYTES, seed + 2);
        StackEndpoint atB = new StackEndpoint(StackConfig.defaults()).add(server);
        StackEndpoint atA = new StackEndpoint(StackConfig.defaults()).add(client);
        b.attach(atB);
        a.attach(atA);

        boolean done = sim.runUntil(() -> client.isDone() && server.isDone(), Nanos.ofSeconds(300));

        assertThat(done).as("seed %d: both ends done", seed).isTrue();
        assertThat(server.receivedSha256()).as("seed %d", seed).isEqualTo(Exchange.sha256Of(seed + 2, BYTES));
        assertThat(client.receivedSha256()).as("seed %d", seed).isEqualTo(Exchange.sha256Of(seed + 1, BYTES));
        assertThat(link.aToB().counters().droppedLoss() + link.bToA().counters().droppedLoss()).as("seed %d", seed)
                .isPositive();
        assertThat(sent.packets).as("seed %d", seed).isGreaterThan(BYTES / 1500);
        assertThat(sent.bad).as("seed %d: bad checksums at transmit", seed).isZero();
        assertThat(received.packets).as("seed %d", seed).isGreaterThan(BYTES / 1500);
        assertThat(received.bad).as("seed %d: bad checksums at receive", seed).isZero();
        assertThat(atA.stack().mib().get(MibCounter.TCP_IN_CSUM_ERRORS)).as("seed %d", seed).isZero();
        assertThat(atB.stack().mib().get(MibCounter.TCP_IN_CSUM_ERRORS)).as("seed %d", seed).isZero();
    }

    /** Keeps a copy of every packet that reaches it; a plain endpoint, which does not take partial checksums. */
    private static final class Recorder implements Endpoint {
        final List<byte[]> packets = new ArrayList<>();

        @Override
        public void attach(HostContext host) {}

        @Override
        public void onPacket(long nowNanos, ByteBuffer ipPacket) {
            byte[] copy = new byte[ipPacket.remaining()];
            ipPacket.duplicate().get(copy);
            packets.add(copy);
        }

        @Override
        public void onWakeup(long nowNanos) {}
    }

    @Test
    void anEndpointThatIsNotAStack_receivesTheSynWithItsChecksumComplete() {
        Simulation sim = new Simulation(42);
        Host a = sim.host("a", "198.18.0.1");
        Host b = sim.host("b", "198.18.0.2");
        var link = sim.connect(a, b, LinkSpec.of(10_000_000, Duration.ofMillis(1)), LinkSpec.of(10_000_000, Duration.ofMillis(1)));
        a.route("0.0.0.0/0", link.aToB());
        b.route("0.0.0.0/0", link.bToA());
        Recorder recorder = new Recorder();
        b.attach(recorder);
        a.attach(new StackEndpoint(StackConfig.defaults())
                .add(new BulkSender(new InetSocketAddress(address("198.18.0.2"), 5001), 1000, 1)));

        sim.runUntil(() -> !recorder.packets.isEmpty(), Nanos.ofSeconds(1));

        assertThat(recorder.packets).isNotEmpty();
        DecodeResult<TcpPacket> syn = TcpPackets.decode(ByteBuffer.wrap(recorder.packets.get(0)), ChecksumPolicy.VERIFY);
        assertThat(syn).as("the first packet, checksum verified").isInstanceOf(DecodeResult.Ok.class);
        assertThat(((DecodeResult.Ok<TcpPacket>) syn).value().tcp().has(TcpFlags.SYN)).isTrue();
    }

    @Test
    void aCorruptingLink_isCaughtByTheReceiversChecksum_andTheStreamArrivesIntact() {
        long seed = 43;
        LinkSpec corrupting = LinkSpec.of(50_000_000, Duration.ofMillis(5)).withCorruption(0.02);
        BulkScenario s = new BulkScenario(seed, corrupting, corrupting, StackConfig.defaults(), BYTES);

        assertThat(s.run(Nanos.ofSeconds(300))).as("%s", s).isTrue();
        assertThat(s.sink.flow().sha256()).as("%s", s).isEqualTo(s.app.sha256());
        assertThat(s.link.aToB().counters().corrupted()).as("%s", s).isPositive();
        assertThat(s.receiver.stack().mib().get(MibCounter.TCP_IN_CSUM_ERRORS)).as("%s", s).isPositive();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
