package org.mptcp4j.mptcp;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.mptcp4j.crypto.DssChecksum;

/**
 * A received mapping's bytes, held back while checksums are in use until all of them are in and
 * the DSS checksum over them is right (RFC 8684 section 3.3.1: a receiver checks a mapping as a
 * whole; Linux's {@code validate_data_csum} likewise keeps the skbs of a mapping on the subflow
 * until it is complete). Only then do they go to the connection. In-order arrival means at most
 * one mapping is incomplete at a time, so at most 64 KB (the data-level length is 16 bits) wait here.
 *
 * <p>After a failed checksum on the only subflow the check turns into a plain hold: the failed
 * mapping's bytes and everything after them stay here, unchecked, until the peer's infinite
 * mapping (section 3.7) says from where they map one to one.
 */
final class MappingCheck {
    private final DssChecksum sum = new DssChecksum();
    private byte[] buf = new byte[0];
    private int held;
    /** The mapping whose bytes are held (the failed one, once {@link #failed}), or null. */
    private Mapping mapping;
    private boolean failed;

    /** The mapping whose bytes are held, or null when nothing is. */
    Mapping mapping() {
        return mapping;
    }

    /** An MP_FAIL was sent for {@link #mapping}: every later byte is held too, until the fallback. */
    boolean failed() {
        return failed;
    }

    /** Starts holding {@code m}, whose relative subflow sequence number is {@code relativeSsn}. */
    void start(Mapping m, int relativeSsn) {
        mapping = m;
        held = 0;
        failed = false;
        sum.start(m.dsn(), relativeSsn, m.dataLevelLength());
    }

    /** Adds the next bytes of the held mapping (or, once failed, whatever arrives next). */
    void append(ByteBuffer piece) {
        int n = piece.remaining();
        if (held + n > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(held + n, Math.max(buf.length * 2, 4096)));
        }
        piece.duplicate().get(buf, held, n);
        if (!failed) {
            sum.update(piece);
        }
        held += n;
    }

    /** Bytes held. */
    int held() {
        return held;
    }

    /** All of the mapping's bytes are in. */
    boolean complete() {
        return !failed && held == mapping.length();
    }

    /** The mapping is complete and its checksum matches the one the option carried. */
    boolean verifies() {
        return complete() && sum.verifies(mapping.checksum());
    }

    /** Keeps what is held for a fallback: from now on bytes are held unchecked. */
    void fail() {
        failed = true;
    }

    /** The held bytes; valid until the next {@link #append} or {@link #clear}. */
    ByteBuffer bytes() {
        return ByteBuffer.wrap(buf, 0, held);
    }

    void clear() {
        mapping = null;
        failed = false;
        held = 0;
        if (buf.length > 65536) {
            buf = new byte[65536]; // a hold after MP_FAIL may have grown it; the usual need is one mapping
        }
    }
}
