package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * A received mapping checked as a whole (RFC 8684 section 3.3.1), its bytes arriving in pieces of
 * odd lengths, against a checksum worked by hand. The pseudo-header words: DSN 0x0000 0x0001
 * 0x0000 0x0002, relative SSN 0x0000 0x0003, data-level length 0x0006 (5 bytes and the DATA_FIN),
 * checksum 0x0000; the data 0x0102 0x0304 0x0500. Sum 1 + 2 + 3 + 6 + 0x0906 = 0x0912, and the
 * checksum is its complement, 0xF6ED.
 */
class MappingCheckTest {
    private static final long DSN = 0x0000_0001_0000_0002L;
    private static final int ISN = 0x7FFF_FFFE; // the subflow's sequence numbers wrap inside the mapping
    private static final int RELATIVE_SSN = 3;
    private static final byte[] DATA = {1, 2, 3, 4, 5};

    private static MappingCheck received(Mapping m, byte[] data) {
        MappingCheck check = new MappingCheck();
        check.start(m, RELATIVE_SSN);
        check.append(ByteBuffer.wrap(data, 0, 1));
        assertThat(check.complete()).isFalse();
        check.append(ByteBuffer.wrap(data, 1, 3));
        check.append(ByteBuffer.wrap(data, 4, 1));
        return check;
    }

    @Test
    void wholeMappingInOddPieces_checksumWorkedByHand_verifies() {
        MappingCheck check = received(new Mapping(DSN, ISN + RELATIVE_SSN, 5, 0xF6ED, true), DATA);

        assertThat(check.complete()).isTrue();
        assertThat(check.verifies()).isTrue();
        assertThat(check.bytes()).isEqualTo(ByteBuffer.wrap(DATA));
    }

    @Test
    void oneByteAltered_fails() {
        byte[] altered = DATA.clone();
        altered[2] = (byte) ~altered[2];

        MappingCheck check = received(new Mapping(DSN, ISN + RELATIVE_SSN, 5, 0xF6ED, true), altered);

        assertThat(check.complete()).isTrue();
        assertThat(check.verifies()).isFalse();
    }

    @Test
    void dataFinCountsInThePseudoHeader() {
        // The same bytes without the DATA_FIN: length 5 in the pseudo-header, sum 0x0911, checksum 0xF6EE.
        assertThat(received(new Mapping(DSN, ISN + RELATIVE_SSN, 5, 0xF6ED), DATA).verifies()).isFalse();
        assertThat(received(new Mapping(DSN, ISN + RELATIVE_SSN, 5, 0xF6EE), DATA).verifies()).isTrue();
    }

    @Test
    void incompleteMapping_neverVerifies() {
        MappingCheck check = new MappingCheck();
        check.start(new Mapping(DSN, ISN + RELATIVE_SSN, 5, 0xF6ED, true), RELATIVE_SSN);
        check.append(ByteBuffer.wrap(DATA, 0, 4));

        assertThat(check.complete()).isFalse();
        assertThat(check.verifies()).isFalse();
    }
}
