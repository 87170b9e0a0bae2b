package org.mptcp4j.mptcp;

import java.nio.ByteBuffer;
import org.mptcp4j.base.Dsn;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.tcp.SendBuffer;
import org.mptcp4j.tcp.SendQueue;
import org.mptcp4j.tcp.TcpState;

/**
 * A subflow's send queue in MPTCP mode: its bytes are not copied but looked up through the
 * subflow's sent mappings in the connection's {@link DataSendBuffer}, which keeps them until a
 * DATA_ACK covers them anyway (RFC 8684 section 3.3.6), and longer while this subflow may still
 * retransmit them ({@link #lowestNeeded}). Linux does the same: a subflow's skbs share the pages of
 * the MPTCP socket's data fragments.
 *
 * <p>The queue is a prefix of copied bytes, then referenced ones. The prefix exists only after
 * {@link #materialise}: a subflow that keeps DATA_ACKed bytes pinned while it backs off its
 * retransmissions gets its own copy, so that the connection can let them go and the application
 * write on; and a connection that falls back to plain TCP hands the subflow its bytes.
 *
 * <p>Invariant: {@code copiedLength() <= length <= capacity}; every referenced byte lies in a
 * mapping of {@link Subflow#sent}.
 */
final class MappedSendQueue implements SendQueue {
    private final Subflow subflow;
    private final DataSendBuffer data;
    private final int capacity;
    /** The copied prefix; null until first needed. */
    private SendBuffer copied;
    private int length;

    MappedSendQueue(Subflow subflow, DataSendBuffer data, int capacityBytes) {
        this.subflow = subflow;
        this.data = data;
        this.capacity = capacityBytes;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int ownedBytes() {
        return copiedLength();
    }

    /** Bytes this queue holds a copy of (0 while it only references the connection's buffer). */
    int copiedLength() {
        return copied == null ? 0 : copied.length();
    }

    /** The queue's share of {@code n} bytes just mapped to the subflow at its end ({@link Subflow#sent} has their mapping). */
    void appendMapped(int n) {
        if (n < 0 || n > freeSpace()) {
            throw new IllegalArgumentException("append " + n + " with " + freeSpace() + " free");
        }
        length += n;
    }

    /** Appends copies (after everything referenced is copied too, to keep the prefix whole). */
    @Override
    public int append(ByteBuffer src) {
        materialise();
        int n = copied.append(src);
        length += n;
        return n;
    }

    @Override
    public void copy(int offset, int len, ByteBuffer dst, int at) {
        if (offset < 0 || len < 0 || offset + len > length) {
            throw new IndexOutOfBoundsException("offset " + offset + " len " + len + " of " + length);
        }
        int c = copiedLength();
        if (offset < c) {
            int k = Math.min(len, c - offset);
            copied.copy(offset, k, dst, at);
            offset += k;
            len -= k;
            at += k;
        }
        int seq = Seq32.add(subflow.tcp.sendQueueSeq(), offset);
        while (len > 0) {
            Mapping m = subflow.sentMappingFor(seq);
            if (m == null) {
                throw new IllegalStateException("no mapping for subflow byte " + seq + " on " + subflow);
            }
            int k = Math.min(len, Seq32.diff(m.endSeq(), seq));
            data.copy(m.dsnOf(seq), k, dst, at);
            seq = Seq32.add(seq, k);
            len -= k;
            at += k;
        }
    }

    @Override
    public void release(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException("release " + n + " of " + length);
        }
        if (copied != null) {
            copied.release(Math.min(n, copied.length()));
        }
        length -= n;
        subflow.conn.onSubflowReleased(subflow);
    }

    /**
     * The lowest DSN among the referenced bytes, if lower than {@code bound}; else {@code bound}.
     * A closed subflow sends nothing again and needs nothing.
     */
    long lowestNeeded(long bound) {
        if (subflow.tcp.state() == TcpState.CLOSED || subflow.tcp.state() == TcpState.TIME_WAIT) {
            return bound;
        }
        if (length == copiedLength()) {
            return bound; // nothing referenced: no need to walk the mappings kept for the DATA_ACK
        }
        int from = Seq32.add(subflow.tcp.sendQueueSeq(), copiedLength());
        int to = Seq32.add(subflow.tcp.sendQueueSeq(), length);
        long low = bound;
        for (Mapping m : subflow.sent) {
            if (!Seq32.lt(from, m.endSeq()) || !Seq32.lt(m.subflowSeq(), to)) {
                continue;
            }
            long dsn = m.dsnOf(Seq32.gt(m.subflowSeq(), from) ? m.subflowSeq() : from);
            if (Dsn.lt(dsn, low)) {
                low = dsn;
            }
            if (subflow.sentInDsnOrder) {
                break; // every later mapping starts beyond this one's data-level end
            }
        }
        return low;
    }

    /**
     * Checks the documented invariant: the referenced bytes are covered by the subflow's mappings,
     * one after another, and their DSNs are still held by the connection.
     */
    void checkInvariants() {
        if (subflow.tcp.state() == TcpState.CLOSED || subflow.tcp.state() == TcpState.TIME_WAIT) {
            return;
        }
        int at = Seq32.add(subflow.tcp.sendQueueSeq(), copiedLength());
        int to = Seq32.add(subflow.tcp.sendQueueSeq(), length);
        for (Mapping m : subflow.sent) {
            if (!Seq32.lt(at, to)) {
                break;
            }
            if (!Seq32.lt(at, m.endSeq())) {
                continue;
            }
            if (!m.covers(at)) {
                throw new AssertionError("subflow byte " + at + " of " + subflow + " is in no mapping");
            }
            if (Dsn.lt(m.dsnOf(at), data.front())) {
                throw new AssertionError("subflow byte " + at + " of " + subflow + " maps to DSN " + m.dsnOf(at)
                        + ", released (front " + data.front() + ")");
            }
            at = m.endSeq();
        }
        if (Seq32.lt(at, to)) {
            throw new AssertionError("subflow bytes from " + at + " of " + subflow + " are in no mapping");
        }
    }

    /** Copies the referenced bytes into the queue's own buffer: from now on it needs none of the connection's. */
    void materialise() {
        if (copied == null) {
            copied = new SendBuffer(capacity);
        }
        int c = copied.length();
        int n = length - c;
        if (n > 0) {
            ByteBuffer b = ByteBuffer.allocate(n);
            copy(c, n, b, 0);
            copied.append(b);
        }
    }

    /** A ring holding every byte of this queue, for the subflow to keep when the connection falls back to TCP. */
    SendBuffer detach() {
        materialise();
        return copied;
    }
}
