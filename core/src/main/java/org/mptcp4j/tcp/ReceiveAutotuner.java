package org.mptcp4j.tcp;

/**
 * Receive-buffer autotuning: dynamic right-sizing. Linux: {@code tcp_rcv_space_adjust} with the
 * receiver's RTT estimate {@code rcv_rtt_est} ({@code tcp_rcv_rtt_update}); RFC 7323 section 4
 * timestamps are the usual source of that RTT. A pure calculator: the connection feeds it RTT
 * samples and the bytes the application reads, with the driver's time, and applies the buffer size
 * it returns ({@link ReceiveBuffer#setCapacity}).
 *
 * <p>Once per receiver RTT it measures how many bytes the application consumed in that RTT. The
 * sender cannot deliver more than a window per RTT, so a reader that keeps up shows the rate the
 * path allows; when that rate exceeds the previous measurement the buffer grows to hold two RTTs
 * of it (plus headroom), so that the window never limits the sender while the application lags an
 * RTT behind. A slow reader never consumes more than it did before, and the buffer stays as it is:
 * the buffer only grows, as in Linux.
 */
public final class ReceiveAutotuner {
    /** Linux TCP_INIT_CWND: the initial window (RFC 6928) the first measurement is compared with. */
    private static final int INITIAL_WINDOW_SEGMENTS = 10;
    /** Headroom for reordering and uneven reads, in segments (Linux adds the same 16 MSS). */
    private static final int HEADROOM_SEGMENTS = 16;
    private static final long NOT_STARTED = Long.MIN_VALUE;

    private final int maxBytes;
    private final int mss;
    private int bufferBytes;
    /** Smoothed receiver RTT, 0 until the first sample. */
    private long rttNanos;
    /** Bytes consumed in the best measured RTT so far (Linux rcvq_space.space). */
    private long copiedPerRtt;
    private long copiedTotal;
    /** Start of the current measurement: time and bytes consumed by then. */
    private long measureStartNanos = NOT_STARTED;
    private long measureStartCopied;

    /**
     * @param initialBytes the buffer the connection starts with
     * @param maxBytes the most the buffer may grow to (Linux tcp_rmem[2])
     * @param mss the largest segment expected from the peer
     */
    public ReceiveAutotuner(int initialBytes, int maxBytes, int mss) {
        if (initialBytes <= 0 || mss <= 0) {
            throw new IllegalArgumentException("initial " + initialBytes + " mss " + mss);
        }
        this.bufferBytes = initialBytes;
        this.maxBytes = Math.max(maxBytes, initialBytes);
        this.mss = mss;
        // What the sender may send in the first RTT (RFC 6928), at most the initial window offered.
        this.copiedPerRtt = Math.min(initialBytes, (long) INITIAL_WINDOW_SEGMENTS * mss);
    }

    /**
     * A receiver RTT sample: the time since we sent the TSval the peer now echoes (RFC 7323), or the
     * time one window took to arrive. Smoothed with gain 1/8 like the sender's SRTT (RFC 6298) and
     * Linux rcv_rtt_est for timestamp samples; the first sample is taken as it is.
     */
    public void onRttSample(long rttNanos) {
        if (rttNanos <= 0) {
            return;
        }
        this.rttNanos = this.rttNanos == 0 ? rttNanos : this.rttNanos + (rttNanos - this.rttNanos) / 8;
    }

    /**
     * The application consumed {@code bytes}; returns the buffer size to apply (the current one when
     * nothing changes). Measurements start at the first read and end once an RTT has passed.
     */
    public int onDataRead(long nowNanos, int bytes) {
        copiedTotal += bytes;
        if (measureStartNanos == NOT_STARTED) {
            newMeasurement(nowNanos);
            return bufferBytes;
        }
        if (rttNanos == 0 || nowNanos - measureStartNanos < rttNanos) {
            return bufferBytes;
        }
        long copied = copiedTotal - measureStartCopied;
        if (copied > copiedPerRtt) {
            grow(copied);
            copiedPerRtt = copied;
        }
        newMeasurement(nowNanos);
        return bufferBytes;
    }

    /**
     * Sizes the buffer for {@code copied} bytes per RTT. Two RTTs' worth: the application may lag a
     * full RTT behind while the next RTT's data arrives. Plus {@link #HEADROOM_SEGMENTS} segments.
     * While the rate still rises (the sender in slow start doubles each RTT) the size grows further,
     * by twice the relative increase over the previous measurement, so the buffer stays ahead of
     * the sender instead of one RTT behind. No overhead factor: Linux scales the window up to cover
     * its per-packet memory (tcp_space_from_win), but {@link ReceiveBuffer} stores payload bytes
     * only, so buffer and window are the same number of bytes.
     */
    private void grow(long copied) {
        long window = 2 * copied + (long) HEADROOM_SEGMENTS * mss;
        long increase = copied - copiedPerRtt;
        window += 2 * (window * increase / copiedPerRtt);
        if (window > bufferBytes) {
            bufferBytes = (int) Math.min(window, maxBytes);
        }
    }

    private void newMeasurement(long nowNanos) {
        measureStartNanos = nowNanos;
        measureStartCopied = copiedTotal;
    }

    /** The buffer size last returned. */
    public int bufferBytes() {
        return bufferBytes;
    }

    /** The smoothed receiver RTT, 0 before the first sample. */
    public long rttNanos() {
        return rttNanos;
    }
}
