package org.mptcp4j.mptcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/**
 * The connection-level receive queue when the reader lags: the window closes with the buffer full
 * of data the application has not read, and the kernel's MPTCP goes on sending past the right
 * edge. Seen on unlimited veths: up to 2.6 MB past it; dropped, the kernel took those bytes back
 * one connection-level retransmission timeout at a time, and 2 GB took up to 19 s instead of 5.
 */
class DataReceiveQueueTest {
    private static final int WINDOW = 1 << 20;
    private static final int SEGMENT = 65_320; // a GRO super-segment of 46 full-sized segments
    private static final long FIRST_DSN = 0x7a8ce8f991c275cL;

    @Test
    void aLaggingReaderLosesNothingOfAWindowSentPastTheRightEdge() {
        DataReceiveQueue queue = new DataReceiveQueue(WINDOW, FIRST_DSN);
        long dsn = FIRST_DSN;
        // The reader sleeps: a window's worth arrives in order and the window closes.
        while (dsn - FIRST_DSN < WINDOW) {
            int len = (int) Math.min(SEGMENT, FIRST_DSN + WINDOW - dsn);
            assertEquals(DataReceiveQueue.Outcome.IN_ORDER, queue.accept(dsn, payload(dsn, len)));
            dsn += len;
        }
        assertEquals(queue.rcvNxt(), queue.limit(), "the advertised window is closed");

        // The sender overshoots by as much again: all of it is kept.
        while (dsn - FIRST_DSN < 2L * WINDOW) {
            int len = (int) Math.min(SEGMENT, FIRST_DSN + 2L * WINDOW - dsn);
            assertEquals(DataReceiveQueue.Outcome.IN_ORDER, queue.accept(dsn, payload(dsn, len)),
                    "overshoot at " + (dsn - queue.limit()) + " bytes past the right edge");
            dsn += len;
        }
        assertEquals(2 * WINDOW, queue.readable());

        // Past twice the window the buffer is full: refused, and nothing held changes.
        assertEquals(DataReceiveQueue.Outcome.BEYOND_WINDOW, queue.accept(dsn, payload(dsn, SEGMENT)));
        assertEquals(2 * WINDOW, queue.readable());

        // The reader wakes and gets every byte, in order.
        ByteBuffer read = ByteBuffer.allocate(2 * WINDOW);
        assertEquals(2 * WINDOW, queue.read(read));
        assertArrayEquals(payload(FIRST_DSN, 2 * WINDOW).array(), read.array());
        assertEquals(queue.rcvNxt() + WINDOW, queue.limit(), "the window is open again");
    }

    /** The bytes of the stream at {@code dsn}: a function of their DSN, so order and content are checked. */
    private static ByteBuffer payload(long dsn, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            long x = dsn + i;
            b[i] = (byte) (x ^ x >>> 8 ^ x >>> 16);
        }
        return ByteBuffer.wrap(b);
    }
}
