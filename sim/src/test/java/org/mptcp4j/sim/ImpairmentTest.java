package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.link.LinkSpec;

class ImpairmentTest {
    private static final long SEED = 7;
    private static final LinkSpec FAST = LinkSpec.of(1_000_000_000L, Duration.ofMillis(5));

    @Test
    void reordering_delaysChosenPacketsSoLaterOnesOvertakeThem() {
        int n = 10_000;
        TwoHosts net = new TwoHosts(SEED, FAST.withReordering(0.05, Duration.ofMillis(1)));
        net.send(net.source().payloadBytes(100).intervalNanos(100_000).count(n)); // 10 per ms

        net.sim.run();

        long reordered = net.link.counters().reordered();
        assertThat(reordered).as("seed %d", SEED).isBetween(400L, 600L);
        assertThat(net.sink.distinct()).isEqualTo(n);
        assertThat(net.sink.reordered()).as("every delayed packet arrives after a later one")
                .isEqualTo(reordered);
        // A reordered packet arrives exactly 1 ms late; the others take the plain 5 ms + serialization.
        long plain = 5_000_000 + LinkSpec.of(1_000_000_000L, 0).serializationNanos(128);
        assertThat(net.sink.maxDelayNanos()).isEqualTo(plain + 1_000_000);
        long late = 0;
        for (int i = 0; i < net.sink.arrivals(); i++) {
            long delay = net.sink.arrivalNanos(i) - net.sink.arrivalSeq(i) * 100_000;
            assertThat(delay).isIn(plain, plain + 1_000_000);
            if (delay > plain) {
                late++;
            }
        }
        assertThat(late).isEqualTo(reordered);
    }

    @Test
    void duplication_deliversACopyRightBehindTheOriginal() {
        int n = 10_000;
        TwoHosts net = new TwoHosts(SEED, FAST.withDuplication(0.03));
        net.send(net.source().payloadBytes(100).intervalNanos(100_000).count(n));

        net.sim.run();

        long duplicated = net.link.counters().duplicated();
        assertThat(duplicated).as("seed %d", SEED).isBetween(240L, 360L);
        assertThat(net.sink.distinct()).isEqualTo(n);
        assertThat(net.sink.duplicates()).isEqualTo(duplicated);
        assertThat(net.sink.packets()).isEqualTo(n + duplicated);
        assertThat(net.link.counters().packetsDelivered()).isEqualTo(n + duplicated);
        for (int i = 1; i < net.sink.arrivals(); i++) {
            if (net.sink.arrivalSeq(i) == net.sink.arrivalSeq(i - 1)) {
                assertThat(net.sink.arrivalNanos(i)).isEqualTo(net.sink.arrivalNanos(i - 1));
            }
        }
        assertThat(net.sim.pool().inUse()).isZero();
    }

    @Test
    void corruption_flipsBitsThatTheUdpChecksumCatches() {
        int n = 10_000;
        TwoHosts net = new TwoHosts(SEED, FAST.withCorruption(0.04));
        net.send(net.source().payloadBytes(200).intervalNanos(100_000).count(n));

        net.sim.run();

        long corrupted = net.link.counters().corrupted();
        assertThat(corrupted).as("seed %d", SEED).isBetween(320L, 480L);
        // One flipped bit always changes the one's-complement sum, so every corruption is caught:
        // by the checksum, or earlier when the flip garbles the UDP length field.
        assertThat(net.sink.badChecksum()).isPositive();
        assertThat(net.sink.badChecksum() + net.sink.malformed()).isEqualTo(corrupted);
        assertThat(net.sink.packets()).isEqualTo(n - corrupted);
        assertThat(net.b.packetsReceived()).as("the IP header is intact, so the host accepts them")
                .isEqualTo(n);
    }

    @Test
    void noImpairments_drawNothingAndChangeNothing() {
        TwoHosts net = new TwoHosts(SEED, FAST);
        net.send(net.source().count(1000).intervalNanos(10_000));

        net.sim.run();

        LinkCounters c = net.link.counters();
        assertThat(c.droppedLoss() + c.corrupted() + c.duplicated() + c.reordered()).isZero();
        assertThat(net.sink.distinct()).isEqualTo(1000);
        assertThat(net.sink.reordered()).isZero();
    }
}
