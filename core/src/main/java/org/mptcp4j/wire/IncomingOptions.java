package org.mptcp4j.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * The timestamps option (RFC 7323 section 3) and the DSS (RFC 8684 section 3.3) of an arriving
 * segment, held as fields of one reusable object: the two options nearly every segment carries,
 * read with no record made for either. The segment they arrived with is a {@link TcpSegment}
 * whose list holds its other options. The receiving mirror of {@link OutgoingSegment}; Linux:
 * {@code struct tcp_options_received} and {@code struct mptcp_options_received}.
 *
 * <p>Only the first of each is held here; a second one stays a record in the segment's list,
 * where TCP does not look for it (it reads the first timestamps) and MPTCP counts it as a
 * duplicate. {@link TcpPackets#decodeV4OrNull(java.nio.ByteBuffer, ChecksumPolicy, IncomingOptions)}
 * decodes into it from bytes, {@link #take} from a segment given as a value.
 */
public final class IncomingOptions {
    boolean timestamps;
    int tsVal;
    int tsEcr;
    boolean dss;
    /** The DSS's flags byte ({@code MptcpOptionCodec.DSS_*}); the fields it leaves out are not read. */
    int dssFlags;
    long dataAck;
    long dsn;
    int subflowSeq;
    int dataLevelLength;
    boolean dssChecksum;
    int dssChecksumValue;

    /** Forgets the options held. */
    public void clear() {
        timestamps = false;
        dss = false;
    }

    void timestamps(int val, int ecr) {
        timestamps = true;
        tsVal = val;
        tsEcr = ecr;
    }

    /**
     * Takes the first timestamps option and the first DSS of {@code seg} into this holder, after
     * forgetting what it held, and returns {@code seg} without them ({@code seg} itself when it
     * carries neither): the shape a segment decoded into a holder has.
     */
    public TcpSegment take(TcpSegment seg) {
        clear();
        List<TcpOption> options = seg.options();
        int tsAt = -1;
        int dssAt = -1;
        for (int i = 0; i < options.size(); i++) {
            TcpOption o = options.get(i);
            if (tsAt < 0 && o instanceof TcpOption.Timestamps t) {
                tsAt = i;
                timestamps(t.tsVal(), t.tsEcr());
            } else if (dssAt < 0 && o instanceof MptcpOption.Dss d) {
                dssAt = i;
                dss(d);
            }
        }
        if (tsAt < 0 && dssAt < 0) {
            return seg;
        }
        List<TcpOption> rest = new ArrayList<>(options.size());
        for (int i = 0; i < options.size(); i++) {
            if (i != tsAt && i != dssAt) {
                rest.add(options.get(i));
            }
        }
        return seg.withOptions(rest);
    }

    private void dss(MptcpOption.Dss d) {
        MptcpOption.DataSequenceMapping m = d.mappingOrNull();
        if (m != null) {
            dsn = m.dsn();
            subflowSeq = m.subflowSeq();
            dataLevelLength = m.dataLevelLength();
            dssChecksum = m.checksum().isPresent();
            dssChecksumValue = m.checksum().orElse(0);
        }
        dataAck = d.dataAckValue();
        dssFlags = MptcpOptionCodec.dssFlags(d);
        dss = true;
    }

    public boolean hasTimestamps() {
        return timestamps;
    }

    /** TSval; read only {@link #hasTimestamps()}. */
    public int tsVal() {
        return tsVal;
    }

    /** TSecr; read only {@link #hasTimestamps()}. */
    public int tsEcr() {
        return tsEcr;
    }

    public boolean hasDss() {
        return dss;
    }

    public boolean hasDataAck() {
        return (dssFlags & MptcpOptionCodec.DSS_DATA_ACK) != 0;
    }

    /** The DATA_ACK as sent, 4 or 8 bytes ({@link #dataAckIs64()}); read only {@link #hasDataAck()}. */
    public long dataAck() {
        return dataAck;
    }

    public boolean dataAckIs64() {
        return (dssFlags & MptcpOptionCodec.DSS_DATA_ACK_64) != 0;
    }

    public boolean dataFin() {
        return (dssFlags & MptcpOptionCodec.DSS_DATA_FIN) != 0;
    }

    public boolean hasMapping() {
        return (dssFlags & MptcpOptionCodec.DSS_MAPPING) != 0;
    }

    /** The mapping's fields below are read only {@link #hasMapping()}. */
    public long dsn() {
        return dsn;
    }

    public boolean dsnIs64() {
        return (dssFlags & MptcpOptionCodec.DSS_DSN_64) != 0;
    }

    public int subflowSeq() {
        return subflowSeq;
    }

    public int dataLevelLength() {
        return dataLevelLength;
    }

    public boolean hasDssChecksum() {
        return dssChecksum;
    }

    /** The DSS checksum, or -1 when the mapping carries none. */
    public int dssChecksumOrMinusOne() {
        return dssChecksum ? dssChecksumValue : -1;
    }

    /** The timestamps as their record; null when none is held. */
    public TcpOption.Timestamps timestampsOption() {
        return timestamps ? new TcpOption.Timestamps(tsVal, tsEcr) : null;
    }

    /** The DSS as its record; null when none is held. */
    public MptcpOption.Dss dssOption() {
        return dss ? MptcpOptionCodec.dssRecord(dssFlags, dataAck, dsn, subflowSeq, dataLevelLength, dssChecksum,
                dssChecksumValue) : null;
    }
}
