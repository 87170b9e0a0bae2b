package org.mptcp4j.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.mptcp4j.mib.MibCounter;

/**
 * The lengths RFC 8684 section 3 allows for each subtype are exactly the ones the decoder accepts;
 * every other length is refused with {@link MibCounter#MPTCP_OPTION_MALFORMED}.
 */
class MptcpOptionLengthsTest {
    private static final Map<Integer, Set<Integer>> ALLOWED = Map.of(
            MptcpOption.SUBTYPE_MP_CAPABLE, Set.of(4, 12, 20, 22, 24),
            MptcpOption.SUBTYPE_MP_JOIN, Set.of(12, 16, 24),
            MptcpOption.SUBTYPE_ADD_ADDR, Set.of(8, 10, 16, 18, 20, 22, 28, 30),
            MptcpOption.SUBTYPE_REMOVE_ADDR, IntStream.rangeClosed(4, 40).boxed().collect(Collectors.toSet()),
            MptcpOption.SUBTYPE_MP_PRIO, Set.of(3, 4),
            MptcpOption.SUBTYPE_MP_FAIL, Set.of(12),
            MptcpOption.SUBTYPE_MP_FASTCLOSE, Set.of(12),
            MptcpOption.SUBTYPE_MP_TCPRST, Set.of(4));

    @Test
    void eachSubtypeAcceptsExactlyItsRfcLengths() {
        for (var e : ALLOWED.entrySet()) {
            for (int len = 2; len <= 40; len++) {
                DecodeResult<MptcpOption> r = MptcpOptionCodec.decode(option(e.getKey(), 0, len));
                if (e.getValue().contains(len)) {
                    assertThat(r).as("subtype %d length %d", e.getKey(), len).isInstanceOf(DecodeResult.Ok.class);
                    assertThat(((DecodeResult.Ok<MptcpOption>) r).value().encodedLength()).isEqualTo(len);
                } else {
                    assertThat(r).as("subtype %d length %d", e.getKey(), len).isInstanceOfSatisfying(DecodeResult.Malformed.class,
                            m -> assertThat(m.counter()).isEqualTo(MibCounter.MPTCP_OPTION_MALFORMED));
                }
            }
        }
    }

    @Test
    void dssLengthFollowsItsFlags_withTheChecksumOnlyAfterAMapping() {
        for (int flags = 0; flags < 32; flags++) {
            int base = MptcpOptionCodec.dssLength(flags, false);
            boolean mapping = (flags & MptcpOptionCodec.DSS_MAPPING) != 0;
            for (int len = 2; len <= 40; len++) {
                DecodeResult<MptcpOption> r = MptcpOptionCodec.decode(option(MptcpOption.SUBTYPE_DSS, flags, len));
                boolean ok = len == base || mapping && len == base + 2;
                assertThat(r instanceof DecodeResult.Ok).as("flags %x length %d", flags, len).isEqualTo(ok);
                if (ok) {
                    MptcpOption.Dss d = (MptcpOption.Dss) ((DecodeResult.Ok<MptcpOption>) r).value();
                    assertThat(d.encodedLength()).isEqualTo(len);
                    assertThat(d.mapping().map(m -> m.checksum().isPresent()).orElse(false)).isEqualTo(len == base + 2 && mapping);
                }
            }
        }
        // The Linux data segment: DATA_ACK 4, DSN 8, no checksum.
        assertThat(MptcpOptionCodec.dssLength(0x0d, false)).isEqualTo(22);
        assertThat(MptcpOptionCodec.dssLength(0x0f, true)).isEqualTo(28);
    }

    /** An option of the given subtype and length; byte 3 is {@code byte3}, the rest a pattern. */
    private static ByteBuffer option(int subtype, int byte3, int len) {
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put(0, (byte) TcpOption.KIND_MPTCP).put(1, (byte) len);
        if (len > 2) {
            b.put(2, (byte) (subtype << 4 | 1));
        }
        if (len > 3) {
            b.put(3, (byte) byte3);
        }
        for (int i = 4; i < len; i++) {
            b.put(i, (byte) (i * 17));
        }
        return b;
    }
}
