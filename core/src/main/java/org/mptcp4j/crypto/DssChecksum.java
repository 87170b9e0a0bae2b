package org.mptcp4j.crypto;

import java.nio.ByteBuffer;
import org.mptcp4j.wire.Checksums;

/**
 * The DSS checksum (RFC 8684 section 3.3.1) of a mapping whose data arrives in several pieces
 * (segments, or a reassembly queue's chunks): start with the pseudo-header, add the pieces in data
 * order, finish. Pieces may have odd lengths; the sum stays aligned to the mapping's first byte.
 * Reusable and allocation-free; one instance per subflow, single-threaded.
 */
public final class DssChecksum {
    private int sum;
    private boolean odd;
    private long bytes;

    /** Starts a mapping: the 64-bit DSN, the relative subflow sequence number and the data-level length. */
    public DssChecksum start(long dsn64, int subflowSeqRelative, int dataLevelLength) {
        int s = Checksums.add32(0, (int) (dsn64 >>> 32));
        s = Checksums.add32(s, (int) dsn64);
        s = Checksums.add32(s, subflowSeqRelative);
        sum = Checksums.add16(s, dataLevelLength);
        odd = false;
        bytes = 0;
        return this;
    }

    /** Adds the next piece of mapped data, {@code piece}'s remaining bytes (its position does not move). */
    public DssChecksum update(ByteBuffer piece) {
        int from = piece.position();
        int len = piece.remaining();
        if (len == 0) {
            return this;
        }
        if (odd) {
            // The previous piece ended in the middle of a 16-bit word: this byte is that word's low half.
            sum = Checksums.add16(sum, piece.get(from) & 0xFF);
            from++;
            len--;
        }
        sum = Checksums.sum(piece, from, len, sum);
        odd = ((bytes + piece.remaining()) & 1) != 0;
        bytes += piece.remaining();
        return this;
    }

    /** Bytes added since {@link #start}. */
    public long bytes() {
        return bytes;
    }

    /** The checksum field value: equals {@link MptcpCrypto#dssChecksum} over the concatenated pieces. */
    public int finish() {
        return Checksums.finish(sum);
    }

    /**
     * True when {@code received}, the checksum the option carried, matches the data: a receiver
     * compares it once all {@code dataLevelLength} bytes are in.
     */
    public boolean verifies(int received) {
        return finish() == (received & 0xFFFF);
    }
}
