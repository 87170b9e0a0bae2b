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
 *
 * <p>This is the only copy of the data: subflows send from it through their mappings
 * ({@link MappedSendQueue}). A subflow may have to retransmit bytes the peer already DATA_ACKed
 * through another subflow's copy (TCP on that subflow still wants them), so bytes are physically
 * released only up to {@link #front}, which the connection moves to the lowest DSN a subflow still
 * needs, at most {@link #una}. Held bytes count against the limit the application sees.
 *
 * <p>Invariant: {@code front <= una <= nxt <= end} in DSN order.
 */
final class DataSendBuffer {
    private final SendBuffer bytes;
    /** DSN of the first byte held (physically kept). */
    private long front;
    /** The highest DATA_ACK received (data-level SND.UNA). */
    private long una;
    /** DSN of the first byte not yet mapped to any subflow (data-level SND.NXT). */
    private long nxt;

    /**
     * What the application may have written and not yet seen released, at most the capacity:
     * tuned by the connection as Linux tunes {@code sk_sndbuf} (see {@link MptcpConnection}).
     */
    private int limit;

    DataSendBuffer(int capacityBytes, long firstDsn) {
        this.bytes = new SendBuffer(capacityBytes);
        this.limit = capacityBytes;
        this.front = firstDsn;
        this.una = firstDsn;
        this.nxt = firstDsn;
    }

    /** Sets the tuned limit, clamped to the capacity (room for the most subflows a connection may have); what is held stays. */
    void setLimit(int bytes) {
        limit = Math.max(0, Math.min(bytes, this.bytes.capacity()));
    }

    int limit() {
        return limit;
    }

    long front() {
        return front;
    }

    long una() {
        return una;
    }

    long nxt() {
        return nxt;
    }

    /** DSN after the last byte written. */
    long end() {
        return front + bytes.length();
    }

    int unmapped() {
        return (int) (end() - nxt);
    }

    /** Bytes DATA_ACKed but still held for a subflow that may retransmit them. */
    int heldAcked() {
        return (int) (una - front);
    }

    int freeSpace() {
        return Math.max(0, Math.min(bytes.freeSpace(), limit - bytes.length()));
    }

    int append(ByteBuffer src) {
        return bytes.append(src, freeSpace());
    }

    /** Maps the next {@code len} unmapped bytes; returns their first DSN. */
    long take(int len) {
        long dsn = nxt;
        nxt += len;
        return dsn;
    }

    /** Copies {@code len} held bytes from {@code dsn} into {@code dst} from its absolute index {@code at}. */
    void copy(long dsn, int len, ByteBuffer dst, int at) {
        if (Dsn.lt(dsn, front)) {
            throw new IndexOutOfBoundsException("DSN " + dsn + " released (front " + front + ")");
        }
        bytes.copy((int) (dsn - front), len, dst, at);
    }

    /** Whether {@code dsn} is not yet DATA_ACKed (at or above {@link #una}, below {@link #end}). */
    boolean holds(long dsn) {
        return Dsn.ge(dsn, una) && Dsn.lt(dsn, end());
    }

    /**
     * A DATA_ACK arrived: moves {@link #una} and returns the bytes newly acknowledged. An ACK for
     * data never mapped is clamped (a peer cannot acknowledge what was not sent). Nothing is
     * released here: see {@link #release}.
     */
    int acknowledge(long dataAck) {
        if (!Dsn.gt(dataAck, una)) {
            return 0;
        }
        long upTo = Dsn.lt(dataAck, nxt) ? dataAck : nxt;
        int n = (int) (upTo - una);
        una = upTo;
        return n;
    }

    /** Lets go of the bytes below {@code upTo} (at most {@link #una}); returns the count. */
    int release(long upTo) {
        long to = Dsn.lt(upTo, una) ? upTo : una;
        if (!Dsn.gt(to, front)) {
            return 0;
        }
        int n = (int) (to - front);
        bytes.release(n);
        front = to;
        return n;
    }
}
