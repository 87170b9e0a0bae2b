package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/**
 * A zero-allocation, reusable view of a TCP header (RFC 9293 section 3.1). {@link #bind} checks the
 * length, the data offset and the checksum once; the accessors then read absolute indexes inside
 * the segment. Options are read by {@link TcpOptionScanner} into a {@link ParsedOptions}.
 */
public final class TcpView {
    private ByteBuffer buf;
    private int base;
    private int length;
    private int dataOffset;
    private int errorOffset;

    /**
     * Binds to the segment at absolute {@code [at, at + length)} of {@code b}, verifying the checksum
     * against {@code pseudoHeaderSum} (see {@link Checksums#pseudoHeaderSum}). Returns {@code null}
     * when it holds, else the refusal's counter. The caller guarantees {@code [at, at + length)}
     * lies inside {@code b}'s limit (an IP view does).
     */
    public MibCounter bind(ByteBuffer b, int at, int length, int pseudoHeaderSum, ChecksumPolicy policy) {
        buf = b;
        base = at;
        this.length = length;
        if (length < TcpCodec.HEADER_LENGTH) {
            return fail(0, MibCounter.TCP_IN_ERRS);
        }
        dataOffset = ((b.get(at + 12) & 0xFF) >>> 4) * 4;
        if (dataOffset < TcpCodec.HEADER_LENGTH || dataOffset > length) {
            return fail(12, MibCounter.TCP_IN_ERRS);
        }
        if (!Checksums.verifies(Checksums.sum(b, at, length, pseudoHeaderSum))
                && !(policy == ChecksumPolicy.ACCEPT_OFFLOAD_PENDING && checksum() == Checksums.fold(pseudoHeaderSum))) {
            return fail(16, MibCounter.TCP_IN_CSUM_ERRORS);
        }
        return null;
    }

    private MibCounter fail(int offset, MibCounter counter) {
        errorOffset = offset;
        return counter;
    }

    /** Where the last refusal was, from the start of the TCP header. */
    public int errorOffset() { return errorOffset; }
    public int srcPort() { return buf.getShort(base) & 0xFFFF; }
    public int dstPort() { return buf.getShort(base + 2) & 0xFFFF; }
    public int seq() { return buf.getInt(base + 4); }
    public int ack() { return buf.getInt(base + 8); }
    /** The 12 flag bits as {@link TcpFlags} (AE and reserved bits above the 8 control bits). */
    public int flags() { return ((buf.get(base + 12) & 0x0F) << 8) | (buf.get(base + 13) & 0xFF); }
    public int window() { return buf.getShort(base + 14) & 0xFFFF; }
    public int checksum() { return buf.getShort(base + 16) & 0xFFFF; }
    public int urgentPointer() { return buf.getShort(base + 18) & 0xFFFF; }
    public int dataOffset() { return dataOffset; }
    /** Absolute index of the option space. */
    public int optionsOffset() { return base + TcpCodec.HEADER_LENGTH; }
    public int optionsLength() { return dataOffset - TcpCodec.HEADER_LENGTH; }
    /** Absolute index of the payload. */
    public int payloadOffset() { return base + dataOffset; }
    public int payloadLength() { return length - dataOffset; }
    public ByteBuffer buffer() { return buf; }
}
