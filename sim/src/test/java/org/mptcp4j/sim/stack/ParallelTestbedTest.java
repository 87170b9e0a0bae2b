package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.ParallelSimulation;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.TraceDigest;
import org.mptcp4j.sim.topo.PathSpec;
import org.mptcp4j.sim.topo.PerformanceTestbed;
import org.mptcp4j.sim.topo.Topologies;
import org.mptcp4j.stack.StackConfig;

/**
 * The paper's Fig. 3 testbed on two threads ({@link ParallelSimulation}): the source and the
 * router's way back in one partition, the router's way there and the destination in the other,
 * each path's delay on the hops between them. One MPTCP connection over both paths, both ends
 * sending at once through 1500-byte links.
 */
class ParallelTestbedTest {
    private static final long BYTES = 4L << 20;
    private static final long RATE = 50_000_000;
    private static final long RATE_B = 40_000_000;

    /** A run of the exchange: the testbed, the partitions (null on one thread), both ends, a digest per link. */
    private record Run(PerformanceTestbed bed, ParallelSimulation parallel, Exchange client, Exchange server,
                       Map<String, TraceDigest> digests, Map<String, TraceDigest> intoHosts, boolean done) {
        long packetsCarried(PerformanceTestbed.Path path) {
            return path.destinationSide().aToB().counters().packetsDelivered()
                    + path.destinationSide().bToA().counters().packetsDelivered();
        }

        long droppedLoss() {
            long n = 0;
            for (Link l : links()) {
                n += l.counters().droppedLoss();
            }
            return n;
        }

        List<Link> links() {
            return parallel == null ? bed.sim().links() : parallel.links();
        }

        Map<String, String> traces() {
            Map<String, String> hex = new TreeMap<>();
            digests.forEach((link, d) -> hex.put(link, d.hex()));
            return hex;
        }

        /**
         * The traces of the links into the two hosts, by host and path (the router they come from
         * is named otherwise in the split layout): what each host received, and when.
         */
        Map<String, String> receivedByHosts() {
            Map<String, String> hex = new TreeMap<>();
            intoHosts.forEach((hop, d) -> hex.put(hop, d.hex()));
            return hex;
        }
    }

    /**
     * Path A at 50 Mbit/s and 10 ms, path B at 40 Mbit/s and 13 ms: unlike rates and delays, so that
     * arrivals over the two paths seldom fall on the same nanosecond.
     */
    private static PathSpec path(boolean a, double loss, double reverseLoss) {
        PathSpec spec = PathSpec.of(a ? RATE : RATE_B, Duration.ofMillis(a ? 10 : 13));
        spec = loss == 0 ? spec : spec.withLoss(LossModel.bernoulli(loss));
        return reverseLoss == 0 ? spec : spec.withReverseLoss(LossModel.bernoulli(reverseLoss));
    }

    /** How a run is laid out: Fig. 3 as usual, with the router split by direction, or that on two threads. */
    private enum Layout { USUAL, SPLIT_ROUTER, TWO_THREADS }

    /**
     * The client on the source joins a second subflow from its path-B address; both ends write
     * {@link #BYTES} and read the other's. Every link's deliveries up to {@code traceUntilNanos}
     * are digested.
     */
    private static Run exchange(long seed, Layout layout, double loss, double reverseLoss, long traceUntilNanos) {
        boolean twoThreads = layout == Layout.TWO_THREADS;
        ParallelSimulation parallel = twoThreads ? new ParallelSimulation(seed, 2) : null;
        PathSpec a = path(true, loss, reverseLoss);
        PathSpec b = path(false, loss, reverseLoss);
        PerformanceTestbed bed = switch (layout) {
            case TWO_THREADS -> Topologies.performanceTestbed(parallel, a, b);
            case SPLIT_ROUTER -> Topologies.splitRouter(new Simulation(seed), a, b);
            case USUAL -> Topologies.performanceTestbed(new Simulation(seed), a, b);
        };
        Map<String, TraceDigest> digests = new TreeMap<>();
        for (Link link : twoThreads ? parallel.links() : bed.sim().links()) {
            TraceDigest d = new TraceDigest();
            link.observeReceive((now, l, p) -> {
                if (now <= traceUntilNanos) {
                    d.observe(now, l, p);
                }
            });
            digests.put(link.name(), d);
        }
        Map<String, TraceDigest> intoHosts = new TreeMap<>();
        bed.linksIntoHosts().forEach((hop, link) -> {
            TraceDigest d = new TraceDigest(hop);
            link.observeReceive(d);
            intoHosts.put(hop, d);
        });
        StackConfig server = StackConfig.defaults();
        StackConfig client = server.withMptcp(server.mptcp()
                .withEndpoints(List.of(Endpoint.of(address(bed.pathB().sourceAddress()), 1, Endpoint.Flag.SUBFLOW)))
                .withLimits(new Limits(1, 0)));
        Exchange serverEnd = Exchange.server(5001, BYTES, seed + 1);
        Exchange clientEnd = Exchange.client(address(bed.pathA().destinationAddress()), 5001, BYTES, seed + 2);
        bed.destination().attach(new StackEndpoint(server).add(serverEnd));
        bed.source().attach(new StackEndpoint(client).add(clientEnd));
        long deadline = Nanos.ofSeconds(300);
        boolean done = twoThreads
                ? parallel.runUntil(() -> clientEnd.isDone() && serverEnd.isDone(), deadline)
                : bed.sim().runUntil(() -> clientEnd.isDone() && serverEnd.isDone(), deadline);
        return new Run(bed, parallel, clientEnd, serverEnd, digests, intoHosts, done);
    }

    private static void assertIntact(Run run, long seed) {
        assertThat(run.done()).as("seed %d: both ends done (%s, %s)", seed, run.client(), run.server()).isTrue();
        assertThat(run.server().receivedSha256()).as("seed %d: client to server", seed)
                .isEqualTo(Exchange.sha256Of(seed + 2, BYTES));
        assertThat(run.client().receivedSha256()).as("seed %d: server to client", seed)
                .isEqualTo(Exchange.sha256Of(seed + 1, BYTES));
    }

    @Test
    void bothWaysAtOnceUnderLoss_onTwoThreads_streamsIntact_bothPathsCarry_poolsStayBounded() {
        long seed = 61;
        Run run = exchange(seed, Layout.TWO_THREADS, 0.01, 0.01, Long.MAX_VALUE);

        assertIntact(run, seed);
        assertThat(run.droppedLoss()).as("seed %d", seed).isPositive();
        assertThat(run.packetsCarried(run.bed().pathA())).as("seed %d", seed).isGreaterThan(1000);
        assertThat(run.packetsCarried(run.bed().pathB())).as("seed %d", seed).isGreaterThan(1000);
        assertThat(run.parallel().checkpoints()).as("seed %d", seed).isPositive();
        // Packets cross to the other partition's pool; free ones go back, so the pools create
        // about the peak in flight, not a packet per packet sent.
        long created = run.parallel().partition(0).pool().allocated() + run.parallel().partition(1).pool().allocated();
        long sent = run.packetsCarried(run.bed().pathA()) + run.packetsCarried(run.bed().pathB());
        assertThat(created).as("seed %d: packets created against %d carried", seed, sent).isLessThan(sent / 4);
    }

    @Test
    void twoThreads_sameSeedTwice_sameRunOnEveryLink() {
        long seed = 62;
        Run first = exchange(seed, Layout.TWO_THREADS, 0.01, 0.01, Long.MAX_VALUE);
        Run second = exchange(seed, Layout.TWO_THREADS, 0.01, 0.01, Long.MAX_VALUE);

        assertIntact(first, seed);
        assertThat(second.traces()).as("seed %d", seed).isEqualTo(first.traces());
    }

    /**
     * Here nothing arriving from one partition falls on the same nanosecond as another event of
     * the receiving one (where the two would order ties differently), so the two-thread run is the
     * one-thread run of the same layout packet for packet, up to the time the one-thread run ends
     * (the two-thread one goes on to its next checkpoint).
     */
    @Test
    void lossless_twoThreadsCarryWhatOneThreadCarries_onEveryLink() {
        long seed = 63;
        Run one = exchange(seed, Layout.SPLIT_ROUTER, 0, 0, Long.MAX_VALUE);
        Run two = exchange(seed, Layout.TWO_THREADS, 0, 0, one.bed().sim().nowNanos());

        assertIntact(one, seed);
        assertIntact(two, seed);
        assertThat(two.traces()).as("seed %d", seed).isEqualTo(one.traces());
    }

    /**
     * The two-thread layout is Fig. 3's network: the way back through a router node of its own,
     * and on the way there a path's delay before the router's queue instead of after it, which
     * delays what leaves the queue by as much. So under loss each host receives the
     * same packets at the same times either way (the routers see them 10 or 13 ms apart, so only
     * the links into the hosts are compared). Loss on the way there only: a link draws its losses
     * from a random stream named after it, and the way back's lossy hop ends at another router
     * node in the split layout, so its losses would be other ones. Equal only where no two events
     * of one nanosecond at a host decide anything, as the layouts order such ties differently (an
     * arrival in a pipe event or at the end of a serialization): seeds 64 to 67 meet one.
     */
    @Test
    void underLoss_theSplitRouter_givesTheHostsWhatTheUsualLayoutGivesThem() {
        long seed = 68;
        Run usual = exchange(seed, Layout.USUAL, 0.01, 0, Long.MAX_VALUE);
        Run split = exchange(seed, Layout.SPLIT_ROUTER, 0.01, 0, Long.MAX_VALUE);

        assertIntact(usual, seed);
        assertThat(usual.droppedLoss()).as("seed %d", seed).isPositive();
        assertThat(split.droppedLoss()).as("seed %d", seed).isEqualTo(usual.droppedLoss());
        assertThat(split.receivedByHosts()).as("seed %d", seed).isEqualTo(usual.receivedByHosts())
                .hasSize(4);
        assertThat(split.bed().sim().nowNanos()).as("seed %d", seed).isEqualTo(usual.bed().sim().nowNanos());
    }

    /** Host {@code a} in partition 0, host {@code b} in partition 1 (nodes named as given). */
    private record TwoPartitions(ParallelSimulation parallel, Host a, Host b) {
        static TwoPartitions named(String a, String b) {
            ParallelSimulation parallel = new ParallelSimulation(1, 2);
            return new TwoPartitions(parallel, parallel.partition(0).host(a, "198.18.0.1"),
                    parallel.partition(1).host(b, "198.18.0.2"));
        }

        Link oneMillisecondLink() {
            return parallel.link(a, b, LinkSpec.of(RATE, Duration.ofMillis(1)));
        }
    }

    @Test
    void aLinkBetweenPartitionsNeedsADelay_andCannotGoDown() {
        TwoPartitions net = TwoPartitions.named("a", "b");

        assertThatThrownBy(() -> net.parallel().link(net.a(), net.b(), LinkSpec.of(RATE, Duration.ZERO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
        Link ab = net.oneMillisecondLink();
        assertThatThrownBy(() -> ab.downAt(5)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> ab.reconfigure(ab.spec())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void oneNodeNameInTwoPartitions_isRefusedWhenTheRunStarts() {
        TwoPartitions net = TwoPartitions.named("twin", "twin");
        net.oneMillisecondLink();

        assertThatThrownBy(net.parallel()::run).isInstanceOf(IllegalStateException.class).hasMessageContaining("twin");
    }

    @Test
    void aFailureOnTheOtherThread_isThrownByTheRun() {
        TwoPartitions net = TwoPartitions.named("a", "b");
        net.oneMillisecondLink();
        net.parallel().partition(1).schedule(Nanos.ofMillis(3), (now, arg) -> {
            throw new IllegalStateException("boom at " + now);
        }, null);

        assertThatThrownBy(net.parallel()::run).isInstanceOf(IllegalStateException.class).hasMessage("boom at 3000000");
    }

    /**
     * What the partitioning costs beside the work: partition 1 hears from partition 0 over a 1 ms
     * link, so while partition 0 is held at 0.5 ms (its event there lets go only once partition 1
     * has begun to wait), partition 1 cannot run its event at 5 ms and records the wait; partition
     * 0 hears from nobody and never waits, and the time its event held it counts as running events.
     */
    @Test
    void aPartitionHeldUpByTheOther_recordsItsWait_oneThatHearsFromNoneNever() {
        TwoPartitions net = TwoPartitions.named("a", "b");
        net.oneMillisecondLink();
        ParallelSimulation parallel = net.parallel();
        long[] ranAt = new long[1];
        long[] heldNanos = new long[1];
        parallel.partition(1).schedule(Nanos.ofMillis(5), (now, arg) -> ranAt[0] = now, null);
        parallel.partition(0).schedule(Nanos.ofMillis(1) / 2, (now, arg) -> {
            long start = System.nanoTime();
            long giveUp = start + Duration.ofSeconds(30).toNanos();
            while (parallel.waits(1) == 0 && System.nanoTime() < giveUp) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            heldNanos[0] = System.nanoTime() - start;
        }, null);

        parallel.run();

        assertThat(ranAt[0]).isEqualTo(Nanos.ofMillis(5));
        assertThat(parallel.waits(1)).isPositive();
        assertThat(parallel.waitedNanos(1)).isPositive();
        assertThat(parallel.waits(0)).isZero();
        assertThat(parallel.waitedNanos(0)).isZero();
        assertThat(parallel.busyNanos(0)).isGreaterThanOrEqualTo(heldNanos[0]).isPositive();
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
