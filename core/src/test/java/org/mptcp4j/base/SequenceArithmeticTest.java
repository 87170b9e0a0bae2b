package org.mptcp4j.base;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class SequenceArithmeticTest {
    @Test
    void seq32_comparesAcrossWrap() {
        assertThat(Seq32.lt(0xFFFF_FFF0, 0x10)).isTrue();
        assertThat(Seq32.gt(0x10, 0xFFFF_FFF0)).isTrue();
        assertThat(Seq32.diff(0x10, 0xFFFF_FFF0)).isEqualTo(0x20);
        assertThat(Seq32.max(0xFFFF_FFF0, 0x10)).isEqualTo(0x10);
        assertThat(Seq32.inRange(0, 0xFFFF_FFFF, 1)).isTrue();
    }

    @Test
    void dsn_expandsNearReference() {
        long ref = 0x0000_0001_FFFF_FF00L;
        assertThat(Dsn.expand32To64(0x0000_0010, ref)).isEqualTo(0x0000_0002_0000_0010L);
        assertThat(Dsn.expand32To64(0xFFFF_FE00, ref)).isEqualTo(0x0000_0001_FFFF_FE00L);
        assertThat(Dsn.expand32To64(0xFFFF_FFFF, 0x0000_0002_0000_0005L)).isEqualTo(0x0000_0001_FFFF_FFFFL);
    }

    @Property(seed = "20261125")
    void dsn_expandInvertsLow32(@ForAll long reference, @ForAll @IntRange(min = -0x7FFF_FFFF, max = 0x7FFF_FFFF) int offset) {
        long dsn = reference + offset;
        assertThat(Dsn.expand32To64(Dsn.low32(dsn), reference)).isEqualTo(dsn);
    }

    @Test
    void rng_sameSeedSameSequence() {
        Rng a = Rng.seeded(42);
        Rng b = Rng.seeded(42);
        for (int i = 0; i < 100; i++) {
            assertThat(a.nextLong()).isEqualTo(b.nextLong());
        }
        Rng c = Rng.seeded(7);
        int[] counts = new int[10];
        for (int i = 0; i < 100_000; i++) {
            counts[c.nextInt(10)]++;
        }
        for (int n : counts) {
            assertThat(n).isBetween(9_500, 10_500);
        }
    }
}
