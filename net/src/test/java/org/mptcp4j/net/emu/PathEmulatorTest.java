package org.mptcp4j.net.emu;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.net.emu.PathEmulator.Outcome;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;

/** The emulator in virtual time: serialization, delay, drop-tail, seeded loss, independent paths. */
class PathEmulatorTest {
    private static final long SEED = 42;
    private static final InetAddress A = ip("127.0.0.1");
    private static final InetAddress B = ip("127.0.0.2");
    private static final InetAddress C = ip("127.0.0.3");

    private record Delivered(long atNanos, int firstByte, InetAddress source, InetAddress destination) {}

    private final List<Delivered> delivered = new ArrayList<>();

    @Test
    void eightMbitTenMillis_threeBackToBackKilobytes_arriveOneMilliApartAfterTheDelay() throws Exception {
        PathEmulator emu = new PathEmulator(new SplitMix64(SEED));
        emu.configure(A, B, LinkSpec.of(8_000_000, Nanos.ofMillis(10)));
        for (int i = 0; i < 3; i++) {
            assertThat(emu.offer(0, packet(1000, i), A, B)).isEqualTo(Outcome.QUEUED);
        }
        assertThat(emu.nextReleaseNanos()).isEqualTo(Nanos.ofMillis(11));
        drainUntil(emu, Nanos.ofMillis(12));
        assertThat(delivered).extracting(Delivered::atNanos).containsExactly(Nanos.ofMillis(11), Nanos.ofMillis(12));
        drainUntil(emu, Nanos.ofMillis(50));
        assertThat(delivered).extracting(Delivered::firstByte).containsExactly(0, 1, 2);
        assertThat(delivered).allSatisfy(d -> assertThat(d.destination()).isEqualTo(B));
        assertThat(emu.nextReleaseNanos()).isEqualTo(Nanos.NEVER);
    }

    @Test
    void queueOfTwoPackets_thirdBackToBack_isDroppedOnArrival_andRoomReturnsAfterSerialization() {
        PathEmulator emu = new PathEmulator(new SplitMix64(SEED));
        emu.configure(A, null, LinkSpec.of(8_000_000, 0).withQueue(QueueLimit.packets(2)));
        assertThat(emu.offer(0, packet(1000, 0), A, B)).isEqualTo(Outcome.QUEUED);
        assertThat(emu.offer(0, packet(1000, 1), A, C)).isEqualTo(Outcome.QUEUED);
        assertThat(emu.offer(0, packet(1000, 2), A, B)).isEqualTo(Outcome.DROPPED_QUEUE_FULL);
        assertThat(emu.offer(Nanos.ofMillis(1), packet(1000, 3), A, B)).isEqualTo(Outcome.QUEUED);
        assertThat(emu.counters(A, null)).isEqualTo(new PathCounters(3, 0, 1, 0, 0, 0));
    }

    @Test
    void twoPercentLoss_isSeededAndNearTwoPercent_andOtherPathsPassThrough() {
        List<Outcome> first = lossRun(SEED);
        assertThat(first).isEqualTo(lossRun(SEED));
        long lost = first.stream().filter(o -> o == Outcome.DROPPED_LOSS).count();
        assertThat(lost).as("seed %d", SEED).isBetween(140L, 260L);

        PathEmulator emu = new PathEmulator(new SplitMix64(SEED));
        emu.configure(A, B, LinkSpec.of(Long.MAX_VALUE, 0).withLoss(LossModel.bernoulli(0.02)));
        assertThat(emu.offer(0, packet(100, 0), B, A)).isEqualTo(Outcome.PASS);
        assertThat(emu.offer(0, packet(100, 0), A, C)).isEqualTo(Outcome.PASS);
    }

    @Test
    void fullCorruption_flipsOneBitAfterTheIpHeader() throws Exception {
        PathEmulator emu = new PathEmulator(new SplitMix64(SEED));
        emu.configure(A, B, LinkSpec.of(Long.MAX_VALUE, 0).withCorruption(1.0));
        ByteBuffer original = packet(100, 7);
        emu.offer(0, original, A, B);
        List<ByteBuffer> out = new ArrayList<>();
        emu.releaseDue(0, (p, s, d) -> out.add(ByteBuffer.allocate(p.remaining()).put(p).flip()));
        assertThat(out).hasSize(1);
        int differingBits = 0;
        for (int i = 0; i < 100; i++) {
            differingBits += Integer.bitCount((out.getFirst().get(i) ^ original.get(i)) & 0xff);
            if (i < 20) {
                assertThat(out.getFirst().get(i)).isEqualTo(original.get(i));
            }
        }
        assertThat(differingBits).isEqualTo(1);
        assertThat(original.position()).as("the caller's buffer is left as it was").isZero();
    }

    private List<Outcome> lossRun(long seed) {
        PathEmulator emu = new PathEmulator(new SplitMix64(seed));
        emu.configure(A, B, LinkSpec.of(Long.MAX_VALUE, 0).withLoss(LossModel.bernoulli(0.02)).withQueue(QueueLimit.UNLIMITED));
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            outcomes.add(emu.offer(i, packet(100, i), A, B));
        }
        return outcomes;
    }

    private void drainUntil(PathEmulator emu, long untilNanos) throws Exception {
        while (emu.nextReleaseNanos() <= untilNanos) {
            long at = emu.nextReleaseNanos();
            emu.releaseDue(at, (p, s, d) -> delivered.add(new Delivered(at, p.get(p.position()) & 0xff, s, d)));
        }
    }

    private static ByteBuffer packet(int length, int firstByte) {
        ByteBuffer b = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) (i * 31 + 5));
        }
        b.put(0, (byte) firstByte);
        return b;
    }

    private static InetAddress ip(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
