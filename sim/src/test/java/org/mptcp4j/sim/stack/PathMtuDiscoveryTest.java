package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.Link;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.StackConfig;

/**
 * Path MTU discovery end to end (RFC 1191, RFC 8201): hosts on 1500-byte links, joined by a
 * 1280-byte link between two routers, send 5 MB each way at once over one connection. The routers
 * answer the first full-sized segments with ICMP; both stacks lower their MSS, resend what did not
 * fit, and both streams arrive intact.
 */
class PathMtuDiscoveryTest {
    private static final long BYTES = 5L << 20;
    private static final int PORT = 5001;

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "IPv4, 10.0.1.1, 10.0.2.1, 10.0.1.254, 10.0.2.254, 0.0.0.0/0, /24, 1228",
            "IPv6, fd00:1::1, fd00:2::1, fd00:1::fe, fd00:2::fe, ::/0, /32, 1208"})
    void bothEndsSending_through1280ByteMiddleLink_lowerTheirMss_andBothStreamsArriveIntact(
            String family, String aAddr, String bAddr, String r1Addr, String r2Addr, String any, String len,
            int expectedMss) {
        long seed = 11;
        Simulation sim = new Simulation(seed);
        Host a = sim.host("a", aAddr);
        Router r1 = sim.router("r1").address(r1Addr);
        Router r2 = sim.router("r2").address(r2Addr);
        Host b = sim.host("b", bAddr);
        LinkSpec edge = LinkSpec.of(100_000_000, Duration.ofMillis(1));
        DuplexLink ar1 = sim.connect(a, r1, edge);
        DuplexLink middle = sim.connect(r1, r2, LinkSpec.of(100_000_000, Duration.ofMillis(8)).withMtu(1280));
        DuplexLink r2b = sim.connect(r2, b, edge);
        a.route(any, ar1.aToB());
        b.route(any, r2b.bToA());
        String aNet = prefix(aAddr, len);
        String bNet = prefix(bAddr, len);
        r1.route(aNet, ar1.bToA()).route(bNet, middle.aToB());
        r2.route(bNet, r2b.aToB()).route(aNet, middle.bToA());

        StackConfig cfg = StackConfig.defaults();
        Exchange client = Exchange.client(address(bAddr), PORT, BYTES, seed);
        Exchange server = Exchange.server(PORT, BYTES, seed + 1);
        StackEndpoint atA = new StackEndpoint(cfg).add(client);
        StackEndpoint atB = new StackEndpoint(cfg).add(server);
        b.attach(atB);
        a.attach(atA);

        boolean done = sim.runUntil(() -> client.isDone() && server.isDone(), Nanos.ofSeconds(120));

        String state = "seed " + seed + " at " + Nanos.toSeconds(sim.nowNanos()) + " s: " + client + " / " + server
                + "\n MSS " + client.mss(atA.stack()) + " / " + server.mss(atB.stack())
                + "\n a mib " + atA.stack().mib() + "\n b mib " + atB.stack().mib()
                + "\n r1 ICMP " + r1.icmpTooBigSent() + ", r2 ICMP " + r2.icmpTooBigSent()
                + "\n middle " + middle.aToB().counters() + " / " + middle.bToA().counters();
        // Each router told its sender; each sender believed it and sized new segments to the path.
        assertThat(r1.icmpTooBigSent()).as(state).isPositive();
        assertThat(r2.icmpTooBigSent()).as(state).isPositive();
        assertThat(atA.stack().mib().get(MibCounter.TCP_PMTU_UPDATES)).as(state).isPositive();
        assertThat(atB.stack().mib().get(MibCounter.TCP_PMTU_UPDATES)).as(state).isPositive();
        assertThat(client.mss(atA.stack())).as(state).isEqualTo(expectedMss);
        assertThat(server.mss(atB.stack())).as(state).isEqualTo(expectedMss);
        // And what was sent before the news came is resent in pieces that fit: both streams arrive.
        assertThat(done).as(state).isTrue();
        assertThat(client.failure()).as(state).isNull();
        assertThat(server.failure()).as(state).isNull();
        assertThat(server.bytesRead()).as(state).isEqualTo(BYTES);
        assertThat(client.bytesRead()).as(state).isEqualTo(BYTES);
        assertThat(server.receivedSha256()).as(state).isEqualTo(client.sentSha256());
        assertThat(client.receivedSha256()).as(state).isEqualTo(server.sentSha256());
        for (Link l : sim.links()) {
            assertThat(l.counters().mtuDrops()).as("%s: %s", l, state).isZero();
        }
    }

    private static String prefix(String address, String length) {
        return address.contains(":") ? address.substring(0, address.lastIndexOf(':') + 1) + length
                : address.substring(0, address.lastIndexOf('.') + 1) + "0" + length;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
