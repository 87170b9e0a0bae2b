package org.mptcp4j.wire;

/**
 * A reusable, mutable holder that {@link TcpOptionScanner} fills with the options of one segment,
 * as primitives, so the receive path of a data segment allocates nothing. It is scratch space owned
 * by one thread: read it before the next scan. The DSS is decoded in place (the per-segment MPTCP
 * option); the rarer MPTCP options are left as offsets for {@link MptcpOptionCodec#decodeAt}.
 *
 * <p>Fields are public like a C struct: {@link #clear()} resets them, the scanner sets them.
 */
public final class ParsedOptions {
    /** Value of an int field whose option was absent. */
    public static final int ABSENT = -1;
    /** The most MPTCP options the 40-byte space can hold (3 bytes each at the least). */
    public static final int MAX_MPTCP_OPTIONS = 13;

    public int mss;
    public int windowScale;
    public boolean sackPermitted;
    public boolean timestamps;
    public int tsVal;
    public int tsEcr;
    /** SACK blocks present (0..4); their edges are {@code sackEdges[2i]} (left) and {@code [2i+1]} (right). */
    public int sackBlocks;
    public final int[] sackEdges = new int[8];

    /** A DSS option was present (the last one, if several). */
    public boolean dss;
    /** The DSS flag byte: {@link MptcpOptionCodec#DSS_DATA_ACK} etc. */
    public int dssFlags;
    public long dataAck;
    public long dsn;
    public int subflowSeq;
    public int dataLevelLength;
    /** The DSS checksum, or {@link #ABSENT}. */
    public int dssChecksum;

    /** MPTCP options other than DSS, as absolute indexes of their kind byte in the scanned buffer. */
    public int mptcpOthers;
    public final int[] mptcpOtherOffsets = new int[MAX_MPTCP_OPTIONS];
    /** MPTCP options (DSS included) whose length their subtype does not allow; the receiver ignores them. */
    public int mptcpMalformed;
    /** Options of other kinds, or known kinds with a wrong length: skipped. */
    public int unknown;
    /** Where a malformed option space broke, from the start of the options. */
    public int errorOffset;

    public void clear() {
        mss = ABSENT;
        windowScale = ABSENT;
        sackPermitted = false;
        timestamps = false;
        tsVal = 0;
        tsEcr = 0;
        sackBlocks = 0;
        dss = false;
        dssFlags = 0;
        dataAck = 0;
        dsn = 0;
        subflowSeq = 0;
        dataLevelLength = 0;
        dssChecksum = ABSENT;
        mptcpOthers = 0;
        mptcpMalformed = 0;
        unknown = 0;
        errorOffset = 0;
    }

    public boolean hasDataAck() { return dss && (dssFlags & MptcpOptionCodec.DSS_DATA_ACK) != 0; }
    public boolean dataAckIs64() { return (dssFlags & MptcpOptionCodec.DSS_DATA_ACK_64) != 0; }
    public boolean hasMapping() { return dss && (dssFlags & MptcpOptionCodec.DSS_MAPPING) != 0; }
    public boolean dsnIs64() { return (dssFlags & MptcpOptionCodec.DSS_DSN_64) != 0; }
    public boolean dataFin() { return dss && (dssFlags & MptcpOptionCodec.DSS_DATA_FIN) != 0; }

    /** The DSS as a value (allocates; for slow paths and tests), or {@code null} when there was none. */
    public MptcpOption.Dss toDss() {
        if (!dss) {
            return null;
        }
        java.util.Optional<MptcpOption.DataSequenceMapping> mapping = hasMapping()
                ? java.util.Optional.of(new MptcpOption.DataSequenceMapping(dsn, dsnIs64(), subflowSeq, dataLevelLength,
                        dssChecksum == ABSENT ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(dssChecksum)))
                : java.util.Optional.empty();
        return new MptcpOption.Dss(hasDataAck() ? java.util.OptionalLong.of(dataAck) : java.util.OptionalLong.empty(), dataAckIs64(), mapping,
                dataFin());
    }
}
