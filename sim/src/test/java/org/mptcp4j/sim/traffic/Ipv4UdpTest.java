package org.mptcp4j.sim.traffic;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class Ipv4UdpTest {
    private static final byte[] SRC = {10, 0, 0, 1};
    private static final byte[] DST = {10, 0, 0, 2};

    private static ByteBuffer written(int id, long seq, long time, int payload) {
        ByteBuffer b = ByteBuffer.allocate(Ipv4Udp.HEADERS_BYTES + payload);
        Ipv4Udp.write(b, SRC, DST, 40_000, 5001, id, seq, time, payload);
        return b.flip();
    }

    @Property(tries = 500, seed = "20261125")
    void restamp_givesTheSameChecksumsAsWritingAfresh(@ForAll @IntRange(max = 0xFFFF) int id,
            @ForAll long seq, @ForAll long time, @ForAll @IntRange(min = 16, max = 1472) int payload) {
        ByteBuffer restamped = written(7, 1, 2, payload);
        Ipv4Udp.restamp(restamped, id, seq, time);
        ByteBuffer fresh = written(id, seq, time, payload);

        assertThat(Ipv4Udp.check(restamped)).isEqualTo(Ipv4Udp.Verdict.OK);
        assertThat(Ipv4Udp.seq(restamped)).isEqualTo(seq);
        assertThat(Ipv4Udp.sendNanos(restamped)).isEqualTo(time);
        // Checksums may differ only in the sign of a one's-complement zero.
        for (int at : new int[] {10, 26}) {
            int a = restamped.getShort(at) & 0xFFFF;
            int b = fresh.getShort(at) & 0xFFFF;
            assertThat(a == b || (a % 0xFFFF == 0 && b % 0xFFFF == 0)).as("checksum at %d", at).isTrue();
        }
    }

    @Property(tries = 300, seed = "20261125")
    void anySingleBitFlip_isDetected(@ForAll @IntRange(min = 0, max = 8 * 1500 - 1) int bit) {
        ByteBuffer p = written(3, 99, 12345, 1472);
        p.put(bit >>> 3, (byte) (p.get(bit >>> 3) ^ (1 << (bit & 7))));
        assertThat(Ipv4Udp.check(p)).isNotEqualTo(Ipv4Udp.Verdict.OK);
    }

    @Test
    void writtenDatagram_hasTheFieldsAskedFor() {
        ByteBuffer p = written(0x1234, 42, 777, 100);
        assertThat(Ipv4Udp.check(p)).isEqualTo(Ipv4Udp.Verdict.OK);
        assertThat(p.getShort(2) & 0xFFFF).isEqualTo(128);
        assertThat(p.get(8)).isEqualTo((byte) 64);
        assertThat(Ipv4Udp.destinationPort(p)).isEqualTo(5001);
        assertThat(Ipv4Udp.seq(p)).isEqualTo(42);
        assertThat(Ipv4Udp.sendNanos(p)).isEqualTo(777);
    }

    @Test
    void truncatedOrForeignPackets_areRefusedNotThrown() {
        assertThat(Ipv4Udp.check(ByteBuffer.allocate(10))).isEqualTo(Ipv4Udp.Verdict.MALFORMED);
        ByteBuffer p = written(1, 1, 1, 16);
        p.put(9, (byte) 6);
        assertThat(Ipv4Udp.check(p)).isEqualTo(Ipv4Udp.Verdict.NOT_UDP);
        assertThat(Ipv4Udp.check(written(1, 1, 1, 100).limit(60))).isEqualTo(Ipv4Udp.Verdict.MALFORMED);
    }
}
