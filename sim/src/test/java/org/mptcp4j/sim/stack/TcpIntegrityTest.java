package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.stack.StackConfig;

/**
 * The stream arrives bit-exact (SHA-256 at both ends) whatever the network does: loss from 0 to
 * 10 %, reordering, duplication, corruption, asymmetric paths, a 500 ms RTT, and a 5-second outage.
 * Each network is run with three seeds moving 34 MB each (about 100 MB per network, as one 100 MB
 * run did before); each case names its seed, and each runs in well under a second of wall time.
 */
class TcpIntegrityTest {
    private static final long MB100 = 100L << 20;
    /** A third of 100 MB per seed, so that three seeds cost what one 100 MB run did. */
    private static final long MB34 = 34L << 20;
    private static final long[] SEEDS = {1, 2, 3};
    private static final LinkSpec CLEAN = LinkSpec.of(100_000_000, Duration.ofMillis(10));

    /** Every network with every seed. */
    static Stream<Arguments> networksAndSeeds() {
        return networks().flatMap(n -> Arrays.stream(SEEDS)
                .mapToObj(seed -> Arguments.of(n.get()[0], n.get()[1], n.get()[2], seed)));
    }

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("clean", CLEAN, CLEAN),
                Arguments.of("loss 0.1%", lossy(0.001), lossy(0.001)),
                Arguments.of("loss 1%", lossy(0.01), lossy(0.01)),
                Arguments.of("loss 2%", lossy(0.02), lossy(0.02)),
                Arguments.of("loss 5%", lossy(0.05), lossy(0.05)),
                Arguments.of("loss 10%", lossy(0.10), lossy(0.10)),
                Arguments.of("reordering 3% by 5 ms", CLEAN.withReordering(0.03, Duration.ofMillis(5)), CLEAN),
                Arguments.of("duplication 5%", CLEAN.withDuplication(0.05), CLEAN.withDuplication(0.05)),
                Arguments.of("corruption 2%", CLEAN.withCorruption(0.02), CLEAN.withCorruption(0.02)),
                Arguments.of("everything", lossy(0.02).withReordering(0.02, Duration.ofMillis(4)).withDuplication(0.02)
                        .withCorruption(0.01), lossy(0.01).withDuplication(0.01).withCorruption(0.01)),
                Arguments.of("asymmetric 100M/10ms vs 5M/40ms",
                        CLEAN, LinkSpec.of(5_000_000, Duration.ofMillis(40))),
                Arguments.of("RTT 500 ms", LinkSpec.of(100_000_000, Duration.ofMillis(250)),
                        LinkSpec.of(100_000_000, Duration.ofMillis(250))));
    }

    private static LinkSpec lossy(double p) {
        return CLEAN.withLoss(LossModel.bernoulli(p));
    }

    @ParameterizedTest(name = "{0}, seed {3}")
    @MethodSource("networksAndSeeds")
    void bulk34MB_arrivesIntact(String name, LinkSpec forward, LinkSpec reverse, long seed) {
        StackConfig cfg = StackConfig.defaults().withSendBufferBytes(8 << 20).withReceiveBufferBytes(8 << 20);
        BulkScenario s = new BulkScenario(seed, forward, reverse, cfg, MB34);
        // BulkScenario's description starts with the seed.
        assertThat(s.run(Nanos.ofSeconds(3000))).as("%s: %s", name, s).isTrue();
        assertThat(s.sink.flow().bytes()).as("%s: %s", name, s).isEqualTo(MB34);
        assertThat(s.sink.flow().sha256()).as("%s: %s", name, s).isEqualTo(s.app.sha256());
        assertThat(s.app.failure()).as("%s: %s", name, s).isEmpty();
        assertThat(s.mtuDrops()).as("%s: %s", name, s).isZero();
    }

    @Test
    void withoutSackOrTimestamps_newRenoUnderLossAndReordering_100MB() {
        StackConfig cfg = StackConfig.defaults().withSack(false).withTimestamps(false).withCongestionControl("reno")
                .withSendBufferBytes(4 << 20).withReceiveBufferBytes(4 << 20);
        LinkSpec fwd = lossy(0.02).withReordering(0.01, Duration.ofMillis(3));
        BulkScenario s = new BulkScenario(5, fwd, lossy(0.01), cfg, MB100);
        assertThat(s.run(Nanos.ofSeconds(3000))).as("%s", s).isTrue();
        assertThat(s.sink.flow().sha256()).as("%s", s).isEqualTo(s.app.sha256());
        assertThat(s.sender.stack().mib().get(MibCounter.TCP_RENO_RECOVERY)).as("%s", s).isPositive();
        assertThat(s.sender.stack().mib().get(MibCounter.TCP_SACK_RECOVERY)).as("%s", s).isZero();
        assertThat(s.mtuDrops()).as("%s", s).isZero();
    }

    @Test
    void corruption_isDroppedByChecksumAndCounted() {
        BulkScenario s = new BulkScenario(3, CLEAN.withCorruption(0.05), CLEAN, StackConfig.defaults(), 5L << 20);
        assertThat(s.run(Nanos.ofSeconds(100))).as("%s", s).isTrue();
        assertThat(s.sink.flow().sha256()).as("%s", s).isEqualTo(s.app.sha256());
        long corrupted = s.link.aToB().counters().corrupted();
        long refused = s.receiver.stack().mib().get(MibCounter.TCP_IN_CSUM_ERRORS)
                + s.receiver.stack().mib().get(MibCounter.IP_IN_CSUM_ERRORS)
                + s.receiver.stack().mib().get(MibCounter.IP_IN_HDR_ERRORS)
                + s.receiver.stack().mib().get(MibCounter.TCP_IN_ERRS);
        assertThat(corrupted).as("%s", s).isPositive();
        assertThat(refused).as("%s", s).isEqualTo(corrupted);
    }

    @Test
    void fiveSecondOutage_recoversByRtoBackoff() {
        BulkScenario s = new BulkScenario(4, CLEAN, CLEAN, StackConfig.defaults(), MB100);
        long downAt = Nanos.ofSeconds(4);
        s.link.downAt(downAt);
        s.link.upAt(downAt + Nanos.ofSeconds(5));
        assertThat(s.run(Nanos.ofSeconds(100))).as("%s", s).isTrue();
        assertThat(s.sink.flow().sha256()).as("%s", s).isEqualTo(s.app.sha256());
        // 200 ms, 400, 800, 1.6 s, 3.2 s: at least five timeouts in a row bridge five seconds.
        assertThat(s.sender.stack().mib().get(MibCounter.TCP_TIMEOUTS)).as("%s", s).isGreaterThanOrEqualTo(5);
        assertThat(s.sink.flow().eofNanos()).as("%s", s).isGreaterThan(downAt + Nanos.ofSeconds(5));
    }
}
