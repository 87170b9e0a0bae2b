package org.mptcp4j.mptcp;

import java.nio.ByteBuffer;
import org.mptcp4j.base.Dsn;
import org.mptcp4j.tcp.ReceiveBuffer;

/**
 * The connection level of the paper's two-level receive (section 4.1): data from every subflow,
 * placed by data sequence number into one in-order queue and one out-of-order queue, and read by
 * the application in order. The out-of-order ranges sit in a tree ({@link ReceiveBuffer}), so a
 * segment costs O(log n) however many are held.
 *
 * <p>The buffer works in the low 32 bits of the DSN, which is exact while everything held lies
 * within 2^31 bytes of the next expected DSN (the window is far smaller); the 64-bit DSN of
 * {@link #rcvNxt} is kept beside it (RFC 8684 section 3.3.1: the 64-bit space is what counts).
 */
final class DataReceiveQueue {
    private final ReceiveBuffer buffer;
    /** The next DSN expected in order: what the DATA_ACK acknowledges. */
    private long rcvNxt;
    /**
     * What the window offers from the first unread byte; the buffer holds {@link #slack} more.
     * Linux too advertises less than its receive buffer ({@code tcp_adv_win_scale}, the scaling
     * ratio): a sender that overshoots the right edge (the kernel's MPTCP does, by megabytes, when
     * the reader lags and the window closes) loses nothing, where dropping the overshoot would cost
     * a data-level retransmission timeout.
     */
    private int window;

    DataReceiveQueue(int capacityBytes, long firstDsn) {
        this.window = capacityBytes;
        this.buffer = new ReceiveBuffer(capacityBytes + slack(capacityBytes));
        this.buffer.reset((int) firstDsn);
        this.rcvNxt = firstDsn;
    }

    /**
     * Room beyond the advertised window: as much again, at least two 64 KB segments, so the buffer
     * is twice the window, as Linux's receive buffer is twice what it advertises (its default
     * scaling ratio of one half). An eighth was too little: when the reader lagged for some 20 ms
     * on unlimited veths and the window closed, the kernel's MPTCP sent up to 2.6 MB beyond the
     * right edge, everything past the eighth was dropped (MPTcpExtNoDSSInWindow), and the kernel
     * took those bytes back one connection-level retransmission timeout at a time: 2 GB took up to
     * 19 s instead of 5. The kernel puts the right edge at the DATA_ACK plus the subflow's TCP send
     * window ({@code ack_update_msk}), and that TCP takes a smaller window only from an ACK that
     * moves ({@code tcp_may_update_window}): a DATA_ACK that jumps, on a subflow whose own ACK
     * stood still, lands the edge past what was announced by up to the window announced before.
     */
    static int slack(int windowBytes) {
        return Math.max(windowBytes, 128 * 1024);
    }

    long rcvNxt() {
        return rcvNxt;
    }

    /** The right edge of the data-level window: what is advertised. */
    long limit() {
        return rcvNxt - readable() + window;
    }

    /** The DSN after the last byte the buffer can hold: the window's right edge plus the slack. */
    private long acceptLimit() {
        return rcvNxt - readable() + buffer.capacity();
    }

    int readable() {
        return buffer.readable();
    }

    /** The window the buffer offers (the slack not included). */
    int capacity() {
        return window;
    }

    long outOfOrderBytes() {
        return buffer.outOfOrderBytes();
    }

    /**
     * The outcome of {@link #accept}, for the counters. CONFLICT: the bytes differ from those held
     * out of order at the same DSNs (one of the two came under a rewritten mapping); nothing was stored.
     */
    enum Outcome { IN_ORDER, OUT_OF_ORDER, DUPLICATE, BEYOND_WINDOW, CONFLICT }

    /**
     * Places {@code data} at {@code dsn}: bytes already received are dropped (a reinjection's twin),
     * bytes beyond the window too (the peer must not send them, RFC 8684 section 3.3.5).
     */
    Outcome accept(long dsn, ByteBuffer data) {
        long end = dsn + data.remaining();
        if (!Dsn.gt(end, rcvNxt)) {
            return Outcome.DUPLICATE;
        }
        long limit = acceptLimit();
        if (!Dsn.lt(dsn, limit)) {
            return Outcome.BEYOND_WINDOW;
        }
        // The buffer reads by absolute index and moves no position: a view only when trimming.
        ByteBuffer part = data;
        long start = dsn;
        if (Dsn.lt(start, rcvNxt)) {
            part = data.duplicate();
            part.position(part.position() + (int) (rcvNxt - start));
            start = rcvNxt;
        }
        boolean trimmed = false;
        if (Dsn.gt(end, limit)) {
            if (part == data) {
                part = data.duplicate();
            }
            part.limit(part.limit() - (int) (end - limit));
            trimmed = true;
        }
        if (!buffer.matchesHeld((int) start, part)) {
            return Outcome.CONFLICT;
        }
        int advanced = buffer.accept((int) start, part);
        rcvNxt += advanced;
        if (advanced > 0) {
            return Outcome.IN_ORDER;
        }
        return trimmed ? Outcome.BEYOND_WINDOW : Outcome.OUT_OF_ORDER;
    }

    /** Forgets the out-of-order data (never DATA_ACKed: the peer sends it again); returns the bytes dropped. */
    long discardOutOfOrder() {
        return buffer.discardOutOfOrder();
    }

    int read(ByteBuffer dst) {
        return buffer.read(dst);
    }

    int discard(int max) {
        return buffer.discard(max);
    }

    /** Raises the window (the connection-level buffer tuner); never below what is held. */
    void setCapacity(int bytes) {
        if (bytes > window) {
            window = bytes;
            buffer.setCapacity(bytes + slack(bytes));
        }
    }
}
