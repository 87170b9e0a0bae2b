package org.mptcp4j.mptcp;

import java.nio.ByteBuffer;
import org.mptcp4j.base.Dsn;
import org.mptcp4j.tcp.SendBuffer;

/**
 * The connection-level send buffer (the paper's section 4.2): bytes the application wrote, from
 * the highest DATA_ACK received ({@link #una}) to the last byte written. Bytes below
 * {@link #nxt} have been handed to a subflow (mapped); the rest wait for a subflow to pull them.
 * Mapped bytes stay until a DATA_ACK covers them, since a failed subflow's data is reinjected on
 * another (RFC 8684 section 3.3.6).
 */
final class DataSendBuffer {
    private final SendBuffer bytes;
    /** DSN of the first byte held: the highest DATA_ACK received (data-level SND.UNA). */
    private long una;
    /** DSN of the first byte not yet mapped to any subflow (data-level SND.NXT). */
    private long nxt;

    /**
     * What the application may have written and not yet seen DATA_ACKed, at most the capacity:
     * tuned by the connection as Linux tunes {@code sk_sndbuf} (see {@link MptcpConnection}).
     */
    private int limit;

    DataSendBuffer(int capacityBytes, long firstDsn) {
        this.bytes = new SendBuffer(capacityBytes);
        this.limit = capacityBytes;
        this.una = firstDsn;
        this.nxt = firstDsn;
    }

    /** Sets the tuned limit, clamped to the capacity (SO_SNDBUF); what is held stays. */
    void setLimit(int bytes) {
        limit = Math.max(0, Math.min(bytes, this.bytes.capacity()));
    }

    int limit() {
        return limit;
    }

    long una() {
        return una;
    }

    long nxt() {
        return nxt;
    }

    /** DSN after the last byte written. */
    long end() {
        return una + bytes.length();
    }

    int unmapped() {
        return (int) (end() - nxt);
    }

    int freeSpace() {
        return Math.max(0, Math.min(bytes.freeSpace(), limit - bytes.length()));
    }

    int append(ByteBuffer src) {
        int room = freeSpace();
        if (room < src.remaining()) {
            ByteBuffer part = src.duplicate().limit(src.position() + room);
            int n = bytes.append(part);
            src.position(src.position() + n);
            return n;
        }
        return bytes.append(src);
    }

    /** Maps the next {@code len} unmapped bytes; returns their first DSN. */
    long take(int len) {
        long dsn = nxt;
        nxt += len;
        return dsn;
    }

    /** Copies {@code len} held bytes from {@code dsn} into {@code dst}. */
    void copy(long dsn, int len, byte[] dst, int dstOffset) {
        bytes.copy((int) (dsn - una), len, dst, dstOffset);
    }

    /** Whether {@code dsn} is held (at or above {@link #una}, below {@link #end}). */
    boolean holds(long dsn) {
        return Dsn.ge(dsn, una) && Dsn.lt(dsn, end());
    }

    /**
     * A DATA_ACK arrived: releases what it covers and returns the count. An ACK for data never
     * mapped is clamped (a peer cannot acknowledge what was not sent).
     */
    int acknowledge(long dataAck) {
        if (!Dsn.gt(dataAck, una)) {
            return 0;
        }
        long upTo = Dsn.lt(dataAck, nxt) ? dataAck : nxt;
        int n = (int) (upTo - una);
        bytes.release(n);
        una = upTo;
        return n;
    }
}
