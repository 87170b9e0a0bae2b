package org.mptcp4j.sim.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.ReceiveBufferInfo;
import org.mptcp4j.mptcp.ReceiveBufferPolicy;
import org.mptcp4j.mptcp.SlowSubflowAction;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.BulkSender;
import org.mptcp4j.sim.stack.Sink;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.sim.topo.MultipathTestbed;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.StackConfig;

/**
 * The paper's section 4.1 at the receiver: the connection-level buffer is tuned to
 * {@code 2 * sum(BW_i) * RTT_max} from the receiver's own RTT estimates, stops at the configured
 * maximum, and names the slowest path when that maximum binds. Path A: 100 Mbit/s, 5 ms one way;
 * path B: 50 Mbit/s, 40 ms one way; queues of about one bandwidth-delay product each, so that
 * RTT_max stays between B's 80 ms and twice that.
 */
class ReceiveBufferTuningTest {
    private static final long SEED = 7;
    private static final PathSpec FAST = PathSpec.of(100_000_000L, Duration.ofMillis(5))
            .withQueue(QueueLimit.packets(100));
    private static final PathSpec SLOW = PathSpec.of(50_000_000L, Duration.ofMillis(40))
            .withQueue(QueueLimit.packets(400));

    /** A bulk upload over both paths into a server whose maximum receive buffer is {@code maxBytes}. */
    private record Upload(Simulation sim, MultipathTestbed bed, StackEndpoint server, Sink sink) {
        static Upload start(int maxBytes, SlowSubflowAction whenCapped) {
            Simulation sim = new Simulation(SEED);
            MultipathTestbed bed = Topologies.multipathTestbed(sim, FAST, SLOW);
            StackConfig serverConfig = StackConfig.defaults().withReceiveBufferMaxBytes(maxBytes);
            serverConfig = serverConfig.withMptcp(serverConfig.mptcp()
                    .withReceiveBuffer(ReceiveBufferPolicy.defaults().withWhenCapped(whenCapped)));
            Sink sink = new Sink(MptcpScenario.PORT).withoutHashing();
            StackEndpoint server = new StackEndpoint(serverConfig).add(sink);
            bed.server().attach(server);
            StackConfig base = StackConfig.defaults().withSendBufferBytes(32 << 20);
            StackConfig client = base.withMptcp(base.mptcp()
                    .withEndpoints(List.of(Endpoint.of(MptcpScenario.address(bed.path(1).clientAddress()), 1,
                            Endpoint.Flag.SUBFLOW)))
                    .withLimits(new Limits(1, 0)));
            InetSocketAddress to = MptcpScenario.server();
            bed.client().attach(new StackEndpoint(client).add(new BulkSender(to, Long.MAX_VALUE / 2, SEED)
                    .withoutHashing().from(MptcpScenario.address(bed.path(0).clientAddress()))));
            return new Upload(sim, bed, server, sink);
        }

        ReceiveBufferInfo info() {
            return server.stack().receiveBufferInfo(sink.flow().conn());
        }

        /** The path whose client address is path {@code i}'s. */
        ReceiveBufferInfo.Path path(int i) {
            String client = bed.path(i).clientAddress();
            return info().paths().stream()
                    .filter(p -> p.remote().getAddress().getHostAddress().equals(client)).findFirst().orElseThrow();
        }
    }

    @Test
    void twoPathsWithUnequalRtt_bufferReachesTwiceSumOfRatesTimesRttMax() {
        Upload u = Upload.start(64 << 20, SlowSubflowAction.FLAG);
        u.sim().runUntil(Nanos.ofSeconds(10));
        long before = u.sink().totalBytes();
        u.sim().runUntil(Nanos.ofSeconds(15));
        double goodputBytesPerSecond = (u.sink().totalBytes() - before) / 5.0;
        ReceiveBufferInfo info = u.info();

        // RTT_max is path B's round trip as the receiver measures it: at least its 80 ms of
        // propagation, at most that plus both of its queues full.
        assertThat(info.rttMaxNanos()).as("seed %d: %s", SEED, info)
                .isBetween(Nanos.ofMillis(80), Nanos.ofMillis(80 + 2 * 400 * 1500 * 8 / 50_000));
        assertThat(goodputBytesPerSecond * 8).as("seed %d: both paths in use", SEED).isGreaterThan(130e6);
        // The target is the paper's formula over what each path brought in the last interval of
        // RTT_max; within 25 % of it over the goodput of the last 5 s (CUBIC's sawtooth moves it).
        double expected = 2 * goodputBytesPerSecond * info.rttMaxNanos() / 1e9;
        assertThat((double) info.targetBytes()).as("seed %d: %s", SEED, info)
                .isBetween(0.75 * expected, 1.25 * expected);
        assertThat(info.windowBytes()).as("seed %d: the buffer grew to the target and no further than the largest",
                SEED).isGreaterThanOrEqualTo((int) (0.75 * expected)).isLessThan(info.maxBytes());
        assertThat(info.capped()).as("seed %d", SEED).isFalse();
        assertThat(u.server().stack().mib().get(MibCounter.MPTCP_RCVBUF_CAPPED)).as("seed %d", SEED).isZero();
    }

    @Test
    void maximumBelowTheTarget_bufferStopsAtIt_andTheSlowestPathIsFlagged() {
        int max = 1536 << 10;
        Upload u = Upload.start(max, SlowSubflowAction.FLAG);
        u.sim().runUntil(Nanos.ofSeconds(10));
        ReceiveBufferInfo info = u.info();

        assertThat(info.windowBytes()).as("seed %d: %s", SEED, info).isEqualTo(max);
        assertThat(info.targetBytes()).as("seed %d", SEED).isGreaterThan(max);
        assertThat(u.server().stack().mib().get(MibCounter.MPTCP_RCVBUF_CAPPED)).as("seed %d", SEED).isPositive();
        assertThat(u.path(1).flaggedSlow()).as("seed %d: path B, 80 ms, is the slowest; %s", SEED, info).isTrue();
        assertThat(u.path(0).flaggedSlow()).as("seed %d: path A is not; %s", SEED, info).isFalse();
    }

    /**
     * The cap binds while the initial subflow carries everything alone (a 192 KiB maximum, below
     * what the fast path needs by itself); the client joins path B a second later. The hint is for
     * the slowest of several paths, so it waits for the second path to carry data and names it at
     * that interval's end. It used to be given only where the cap began to bind, and the cap had
     * begun to bind with one path: path B was named only after the cap let go and bound again.
     *
     * <p>The scenario needs the cap to still bind in the interval in which path B first carries
     * data, and whether it does depends on the join's moment to a few milliseconds: round-robin
     * holds path A back while path B's first flight is out, and an interval that holds mostly that
     * wait measures too little for the cap to bind. So the join is tried at 1.00 s, then 10 ms later
     * and so on (each attempt a fresh seeded run), and the claim is checked on the first attempt
     * whose premise holds; about every second moment gives it.
     */
    @Test
    void capBindsBeforeTheJoin_theSlowPathIsNamedOnceItCarriesData() {
        JoinAttempt found = null;
        for (long joinMs = 1000; found == null && joinMs < 1200; joinMs += 10) {
            JoinAttempt a = JoinAttempt.run(joinMs);
            if (a.premiseHolds()) {
                found = a;
            }
        }

        assertThat(found).as("seed %d: a join between 1.00 and 1.19 s after which the cap still binds when path B "
                + "first carries data", SEED).isNotNull();
        ReceiveBufferInfo first = found.firstWithPathB();
        assertThat(found.cappedEvents()).as("seed %d, join at %d ms: the cap bound once, and never let go", SEED,
                found.joinMs()).isEqualTo(1);
        assertThat(found.pathBFlagged()).as("seed %d, join at %d ms: path B, 80 ms, is the slowest; %s", SEED,
                found.joinMs(), first).isTrue();
        assertThat(found.pathAFlagged()).as("seed %d, join at %d ms: path A is not; %s", SEED, found.joinMs(), first)
                .isFalse();
    }

    /** One run of the scenario above with the join at {@code joinMs}, and what the server's tuner showed. */
    private record JoinAttempt(long joinMs, boolean cappedAlone, ReceiveBufferInfo firstWithPathB, long cappedEvents,
            boolean pathBFlagged, boolean pathAFlagged) {
        boolean premiseHolds() {
            return cappedAlone && firstWithPathB != null && firstWithPathB.capped();
        }

        static JoinAttempt run(long joinMs) {
            Simulation sim = new Simulation(SEED);
            MultipathTestbed bed = Topologies.multipathTestbed(sim, FAST, SLOW);
            Sink sink = new Sink(MptcpScenario.PORT).withoutHashing();
            StackEndpoint server = new StackEndpoint(StackConfig.defaults().withReceiveBufferBytes(128 << 10)
                    .withReceiveBufferMaxBytes(192 << 10)).add(sink);
            bed.server().attach(server);
            StackConfig base = StackConfig.defaults().withSendBufferBytes(32 << 20);
            // Round-robin, so that path B carries data through the small window (the lowest RTT would
            // leave it all to path A); the tuner does not care which scheduler fed it.
            StackEndpoint client = new StackEndpoint(base.withMptcp(base.mptcp().withLimits(new Limits(1, 0))
                    .withScheduler("roundrobin")))
                    .add(new BulkSender(MptcpScenario.server(), Long.MAX_VALUE / 2, SEED).withoutHashing()
                            .from(MptcpScenario.address(bed.path(0).clientAddress())));
            bed.client().attach(client);
            Upload u = new Upload(sim, bed, server, sink);

            sim.runUntil(Nanos.ofMillis(joinMs));
            // The cap binds with path A alone, and has not yet been counted: it names a path only
            // once two carry data.
            boolean cappedAlone = u.info().capped()
                    && server.stack().mib().get(MibCounter.MPTCP_RCVBUF_CAPPED) == 0;
            sim.schedule(sim.nowNanos(), (now, arg) -> {
                client.stack().addEndpoint(now, Endpoint.of(MptcpScenario.address(bed.path(1).clientAddress()), 1,
                        Endpoint.Flag.SUBFLOW));
                client.service(now);
            }, null);
            // The first interval's end at which path B has carried data.
            ReceiveBufferInfo first = null;
            for (long t = Nanos.ofMillis(joinMs); first == null && t <= Nanos.ofSeconds(4); t += Nanos.ofMillis(1)) {
                sim.runUntil(t);
                ReceiveBufferInfo now = u.info();
                if (now.paths().stream().anyMatch(p -> p.bytesPerSecond() > 0
                        && p.remote().getAddress().getHostAddress().equals(bed.path(1).clientAddress()))) {
                    first = now;
                }
            }
            return new JoinAttempt(joinMs, cappedAlone, first, server.stack().mib().get(MibCounter.MPTCP_RCVBUF_CAPPED),
                    first != null && u.path(1).flaggedSlow(), first != null && u.path(0).flaggedSlow());
        }
    }

    @Test
    void capBindsWithBackupAction_slowPathBecomesBackup_andTheFastPathCarriesTheData() {
        Upload u = Upload.start(1536 << 10, SlowSubflowAction.BACKUP);
        u.sim().runUntil(Nanos.ofSeconds(10));
        long pathBAt10s = dataOnPathB(u);
        u.sim().runUntil(Nanos.ofSeconds(15));

        assertThat(u.path(1).flaggedSlow()).as("seed %d", SEED).isTrue();
        assertThat(u.server().stack().mib().get(MibCounter.MPTCP_MP_PRIO_TX)).as("seed %d", SEED).isPositive();
        assertThat(dataOnPathB(u) - pathBAt10s).as("seed %d: path B carries nothing new as a backup", SEED).isZero();
        assertThat(u.sink().totalBytes()).as("seed %d: the transfer goes on", SEED).isGreaterThan(100L << 20);
    }

    @Test
    void capBindsWithCloseAction_slowPathIsResetForUnacceptablePerformance_andTheTransferGoesOn() {
        Upload u = Upload.start(1536 << 10, SlowSubflowAction.CLOSE);
        u.sim().runUntil(Nanos.ofSeconds(5));
        long at5s = u.sink().totalBytes();
        u.sim().runUntil(Nanos.ofSeconds(10));

        assertThat(u.server().stack().mib().get(MibCounter.MPTCP_RCVBUF_CAPPED)).as("seed %d", SEED).isPositive();
        assertThat(u.server().stack().mib().get(MibCounter.MPTCP_RST_TX)).as("seed %d: MP_TCPRST", SEED).isPositive();
        assertThat(u.server().stack().mptcpInfo(u.sink().flow().conn()).subflows()).as("seed %d", SEED)
                .singleElement().satisfies(s -> assertThat(s.remote().getAddress().getHostAddress())
                        .isEqualTo(u.bed().path(0).clientAddress()));
        assertThat((u.sink().totalBytes() - at5s) * 8 / 5.0).as("seed %d: path A alone carries on", SEED)
                .isGreaterThan(80e6);
    }

    private static long dataOnPathB(Upload u) {
        String b = u.bed().path(1).clientAddress();
        return u.server().stack().mptcpInfo(u.sink().flow().conn()).subflows().stream()
                .filter(s -> s.remote().getAddress().getHostAddress().equals(b))
                .mapToLong(s -> s.dataBytesReceived()).sum();
    }
}
