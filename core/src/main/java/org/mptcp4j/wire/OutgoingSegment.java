package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A TCP segment on its way out, held as fields of one reusable object and written to bytes by
 * {@link TcpPackets#encode(IpHeader, OutgoingSegment, ByteBuffer, boolean)}: a stack sends every
 * segment through it, and this path makes no option records, no option lists and no view of the
 * payload, which stays where it lies until it is written. {@link #toSegment} gives the same
 * segment as a {@link TcpSegment} value, for callers that keep segments. Linux: the skb being
 * built with its {@code struct tcp_out_options}.
 *
 * <p>The options are written in this order, which is Linux's: timestamps, SACK blocks, the DSS,
 * then the options {@link #add}ed as records, in the order added. Those of a SYN (MSS,
 * SACK-permitted, timestamps, window scale) and every rarer option go as records; the
 * timestamps, SACK blocks and DSS that nearly every segment carries are set as fields.
 * {@link TcpOptions} lays them out as it lays out the records of {@link #toSegment}, so both give
 * the same bytes.
 */
public final class OutgoingSegment {

    /** Where the payload lies until the segment is written. */
    @FunctionalInterface
    public interface Payload {
        /** Copies {@code len} bytes from {@code offset} into {@code dst} from its absolute index {@code at}. */
        void copy(int offset, int len, ByteBuffer dst, int at);
    }

    private static final Payload NO_PAYLOAD = (offset, len, dst, at) -> { };

    int srcPort;
    int dstPort;
    int seq;
    int ack;
    int flags;
    int window;
    boolean timestamps;
    int tsVal;
    int tsEcr;
    List<TcpOption.SackBlock> sackBlocks = List.of();
    /** The DSS's flags byte ({@code MptcpOptionCodec.DSS_*}), 0 when the segment carries no DSS. */
    int dssFlags;
    long dataAck;
    long dsn;
    int subflowSeq;
    int dataLevelLength;
    boolean dssChecksum;
    int dssChecksumValue;
    TcpOption[] records = new TcpOption[4];
    int recordCount;
    private Payload payload = NO_PAYLOAD;
    private int payloadOffset;
    private int payloadLength;

    /** Starts a new segment with these header fields, no options and no payload. */
    public void start(int srcPort, int dstPort, int seq, int ack, int flags, int window) {
        this.srcPort = srcPort;
        this.dstPort = dstPort;
        this.seq = seq;
        this.ack = ack;
        this.flags = flags;
        this.window = window;
        timestamps = false;
        sackBlocks = List.of();
        dssFlags = 0;
        Arrays.fill(records, 0, recordCount, null);
        recordCount = 0;
        payload = NO_PAYLOAD;
        payloadOffset = 0;
        payloadLength = 0;
    }

    /** The timestamps option (RFC 7323 section 3). */
    public void timestamps(int tsVal, int tsEcr) {
        this.timestamps = true;
        this.tsVal = tsVal;
        this.tsEcr = tsEcr;
    }

    /** The SACK option (RFC 2018) with these one to four blocks; none: no SACK option. */
    public void sack(List<TcpOption.SackBlock> blocks) {
        this.sackBlocks = blocks;
    }

    /**
     * The DSS (RFC 8684 section 3.3) as its flags byte ({@link MptcpOptionCodec#DSS_DATA_ACK} and
     * the others) and its fields; those the flags leave out are ignored, and so is the checksum
     * without a mapping. It goes before the records.
     *
     * @throws IllegalArgumentException for flags that carry neither a DATA_ACK nor a mapping, or
     *     a 64-bit DSN without a mapping (no {@link MptcpOption.Dss} has them)
     */
    public void dss(int flags, long dataAck, long dsn, int subflowSeq, int dataLevelLength, boolean checksum,
            int checksumValue) {
        boolean mapping = (flags & MptcpOptionCodec.DSS_MAPPING) != 0;
        if ((flags & MptcpOptionCodec.DSS_DATA_ACK) == 0 && !mapping
                || (flags & MptcpOptionCodec.DSS_DSN_64) != 0 && !mapping) {
            throw new IllegalArgumentException("DSS flags " + Integer.toBinaryString(flags));
        }
        if (recordCount > 0) {
            throw new IllegalStateException("the DSS goes before the records");
        }
        this.dssFlags = flags;
        this.dataAck = dataAck;
        this.dsn = dsn;
        this.subflowSeq = subflowSeq;
        this.dataLevelLength = dataLevelLength;
        this.dssChecksum = checksum;
        this.dssChecksumValue = checksumValue;
    }

    /** Adds an option after those set as fields. */
    public void add(TcpOption o) {
        if (recordCount == records.length) {
            records = Arrays.copyOf(records, recordCount * 2);
        }
        records[recordCount++] = o;
    }

    /** The payload: {@code length} bytes from {@code offset} of {@code source}, copied when the segment is written. */
    public void payload(Payload source, int offset, int length) {
        this.payload = source;
        this.payloadOffset = offset;
        this.payloadLength = length;
    }

    public int seq() {
        return seq;
    }

    public int flags() {
        return flags;
    }

    public boolean has(int flag) {
        return (flags & flag) != 0;
    }

    public int payloadLength() {
        return payloadLength;
    }

    /** Copies the payload into {@code dst} from its absolute index {@code at}. */
    void copyPayload(ByteBuffer dst, int at) {
        payload.copy(payloadOffset, payloadLength, dst, at);
    }

    /** The DSS set by {@link #dss} as its record; null when none is set. */
    MptcpOption.Dss dssOption() {
        return dssFlags == 0 ? null : MptcpOptionCodec.dssRecord(dssFlags, dataAck, dsn, subflowSeq, dataLevelLength,
                dssChecksum, dssChecksumValue);
    }

    /** The segment as a value, its payload copied: it stays valid whatever happens to the payload's source. */
    public TcpSegment toSegment() {
        TcpOption[] options = new TcpOption[3 + recordCount];
        int n = 0;
        if (timestamps) {
            options[n++] = new TcpOption.Timestamps(tsVal, tsEcr);
        }
        if (!sackBlocks.isEmpty()) {
            options[n++] = new TcpOption.Sack(sackBlocks);
        }
        if (dssFlags != 0) {
            options[n++] = dssOption();
        }
        for (int i = 0; i < recordCount; i++) {
            options[n++] = records[i];
        }
        ByteBuffer data = TcpSegment.EMPTY;
        if (payloadLength > 0) {
            data = ByteBuffer.allocate(payloadLength);
            copyPayload(data, 0);
        }
        return new TcpSegment(srcPort, dstPort, seq, ack, flags, window, 0, List.of(Arrays.copyOf(options, n)), data);
    }
}
