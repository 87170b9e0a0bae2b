package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.StackConfig;

/**
 * Both ends send at once, as the testbed showed it matters (data segments then carry SACK blocks
 * and must still fit the 1500-byte MTU): every network of the loss matrix, SHA-256 both ways, no
 * packet dropped for its size, and loss recovered without a storm of timeouts. (A smaller MTU in
 * the middle of the path, which only ICMP reveals, is PathMtuDiscoveryTest's.)
 */
class TcpBothWaysTest {
    private static final long BYTES = 8L << 20;
    private static final LinkSpec BASE = LinkSpec.of(100_000_000, Duration.ofMillis(10));

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("loss 1%", BASE.withLoss(LossModel.bernoulli(0.01)), 1L),
                Arguments.of("loss 5%", BASE.withLoss(LossModel.bernoulli(0.05)), 2L),
                Arguments.of("loss 2%, reordering 2% by 4 ms", BASE.withLoss(LossModel.bernoulli(0.02))
                        .withReordering(0.02, Duration.ofMillis(4)), 3L),
                Arguments.of("bursty loss (Gilbert-Elliott)", BASE.withLoss(new LossModel.GilbertElliott(0.005, 0.3, 0.0, 0.5)), 4L));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void bothEndsSendingAtOnce_bothStreamsArriveIntact(String name, LinkSpec spec, long seed) {
        Simulation sim = new Simulation(seed);
        Host a = sim.host("a", "10.0.0.1");
        Host b = sim.host("b", "10.0.0.2");
        DuplexLink link = sim.connect(a, b, spec);
        a.route("0.0.0.0/0", link.aToB());
        b.route("0.0.0.0/0", link.bToA());
        Exchange client = Exchange.client(address("10.0.0.2"), 5001, BYTES, seed);
        Exchange server = Exchange.server(5001, BYTES, seed + 100);
        StackEndpoint serverEnd = new StackEndpoint(StackConfig.defaults()).add(server);
        StackEndpoint clientEnd = new StackEndpoint(StackConfig.defaults()).add(client);
        b.attach(serverEnd);
        a.attach(clientEnd);
        boolean done = sim.runUntil(() -> client.isDone() && server.isDone(), Nanos.ofSeconds(600));
        String state = name + ", seed " + seed + ": " + client + " / " + server + "\n client mib "
                + clientEnd.stack().mib() + "\n server mib " + serverEnd.stack().mib() + "\n links "
                + link.aToB().counters() + " / " + link.bToA().counters();
        assertThat(done).as(state).isTrue();
        assertThat(server.receivedSha256()).as(state).isEqualTo(client.sentSha256());
        assertThat(client.receivedSha256()).as(state).isEqualTo(server.sentSha256());
        assertThat(link.aToB().counters().mtuDrops() + link.bToA().counters().mtuDrops()).as(state).isZero();
        assertThat(link.aToB().counters().droppedLoss() + link.bToA().counters().droppedLoss()).as(state).isPositive();
        // Losses are repaired by RACK, TLP and fast recovery; timeouts stay rare (well under one per 100 segments lost).
        long lost = link.aToB().counters().droppedLoss() + link.bToA().counters().droppedLoss();
        long timeouts = clientEnd.stack().mib().get(MibCounter.TCP_TIMEOUTS) + serverEnd.stack().mib().get(MibCounter.TCP_TIMEOUTS);
        assertThat(timeouts).as(state).isLessThan(Math.max(3, lost / 20));
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
