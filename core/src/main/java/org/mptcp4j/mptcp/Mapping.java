package org.mptcp4j.mptcp;

import org.mptcp4j.base.Seq32;

/**
 * A data sequence mapping as a subflow keeps it (RFC 8684 section 3.3.1): {@code length} bytes of
 * data-level sequence space from {@code dsn} travel at subflow sequence number {@code subflowSeq}
 * (absolute, not relative to the ISN). {@code checksum} is the DSS checksum of those bytes, or -1
 * when checksums are not in use. {@code dataFin}: the option's data-level length counted the
 * DATA_FIN too, so the checksum's pseudo-header carries {@code length + 1}.
 */
record Mapping(long dsn, int subflowSeq, int length, int checksum, boolean dataFin) {
    Mapping(long dsn, int subflowSeq, int length, int checksum) {
        this(dsn, subflowSeq, length, checksum, false);
    }

    /** Subflow sequence number after the last byte. */
    int endSeq() {
        return Seq32.add(subflowSeq, length);
    }

    boolean covers(int seq) {
        return Seq32.inRange(seq, subflowSeq, endSeq());
    }

    /** The DSN of subflow byte {@code seq}, which this mapping covers. */
    long dsnOf(int seq) {
        return dsn + Seq32.diff(seq, subflowSeq);
    }

    /** The data-level length field as the option carried it (the checksum's pseudo-header covers it). */
    int dataLevelLength() {
        return length + (dataFin ? 1 : 0);
    }
}
