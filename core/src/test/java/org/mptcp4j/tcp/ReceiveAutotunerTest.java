package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;

/** Receive-buffer autotuning (Linux dynamic right-sizing) in virtual time, one read per millisecond. */
class ReceiveAutotunerTest {
    private static final int MSS = 1460;
    private static final long RTT = Nanos.ofMillis(10);
    /** 100 Mbit/s is 12 500 bytes per millisecond; the BDP at 10 ms is 125 000 bytes. */
    private static final int LINK_BYTES_PER_MS = 12_500;
    private static final int BDP = 10 * LINK_BYTES_PER_MS;

    /**
     * A reader that keeps up with a 100 Mbit/s, 10 ms path for {@code ms} milliseconds: each
     * millisecond it consumes what the sender could deliver, the link rate or a tenth of the
     * window (the buffer) per RTT, whichever is less. Returns the buffer at the end.
     */
    private static int fastReader(ReceiveAutotuner t, int initial, int max, int ms) {
        int buffer = initial;
        for (int i = 0; i < ms; i++) {
            if (i % 10 == 0) {
                t.onRttSample(RTT);
            }
            int delivered = Math.min(LINK_BYTES_PER_MS, buffer / 10);
            int next = t.onDataRead(Nanos.ofMillis(i), delivered);
            assertThat(next).as("at %d ms", i).isBetween(buffer, max);
            buffer = next;
        }
        return buffer;
    }

    @Test
    void steady100MbitAt10ms_growsToAtLeastTwiceTheBdp_neverAboveMax() {
        int initial = 64 * 1024; // the window limits the sender to 52 Mbit/s at first
        int max = 6 << 20;
        ReceiveAutotuner t = new ReceiveAutotuner(initial, max, MSS);
        int buffer = fastReader(t, initial, max, 1000);
        assertThat(buffer).isGreaterThanOrEqualTo(2 * BDP).isLessThanOrEqualTo(max);
        assertThat(t.bufferBytes()).isEqualTo(buffer);
    }

    @Test
    void steadyRate_buffersStopGrowingOnceTheRateIsReached() {
        ReceiveAutotuner t = new ReceiveAutotuner(64 * 1024, 6 << 20, MSS);
        int settled = fastReader(t, 64 * 1024, 6 << 20, 200);
        for (int i = 200; i < 2000; i++) {
            assertThat(t.onDataRead(Nanos.ofMillis(i), LINK_BYTES_PER_MS)).isEqualTo(settled);
        }
    }

    @Test
    void maxBelowTwiceTheBdp_capsTheBuffer() {
        int max = 200_000;
        ReceiveAutotuner t = new ReceiveAutotuner(64 * 1024, max, MSS);
        assertThat(fastReader(t, 64 * 1024, max, 1000)).isEqualTo(max);
    }

    @Test
    void slowReader_neverGrowsTheBuffer() {
        int initial = 64 * 1024;
        ReceiveAutotuner t = new ReceiveAutotuner(initial, 6 << 20, MSS);
        // The buffer is full all along; the application takes 1 000 bytes a millisecond (8 Mbit/s),
        // less per RTT than the initial window of 10 segments.
        for (int i = 0; i < 5000; i++) {
            if (i % 10 == 0) {
                t.onRttSample(RTT);
            }
            assertThat(t.onDataRead(Nanos.ofMillis(i), 1000)).as("at %d ms", i).isEqualTo(initial);
        }
    }

    @Test
    void withoutAnRttSample_theBufferStays() {
        ReceiveAutotuner t = new ReceiveAutotuner(64 * 1024, 6 << 20, MSS);
        for (int i = 0; i < 1000; i++) {
            assertThat(t.onDataRead(Nanos.ofMillis(i), LINK_BYTES_PER_MS)).isEqualTo(64 * 1024);
        }
    }

    @Test
    void measurement_endsOnlyAfterOneReceiverRtt() {
        ReceiveAutotuner t = new ReceiveAutotuner(64 * 1024, 6 << 20, MSS);
        t.onRttSample(RTT);
        t.onDataRead(0, 1); // starts the first measurement
        assertThat(t.onDataRead(Nanos.ofMillis(9), 500_000)).isEqualTo(64 * 1024);
        // 500 000 bytes in the RTT, against 14 600 (10 segments) before: two RTTs' worth at least.
        assertThat(t.onDataRead(Nanos.ofMillis(10), 0)).isGreaterThanOrEqualTo(1_000_000);
    }

    @Test
    void rttSamples_firstTakenAsIs_thenSmoothedWithGainOneEighth() {
        ReceiveAutotuner t = new ReceiveAutotuner(64 * 1024, 6 << 20, MSS);
        assertThat(t.rttNanos()).isZero();
        t.onRttSample(Nanos.ofMillis(10));
        assertThat(t.rttNanos()).isEqualTo(Nanos.ofMillis(10));
        t.onRttSample(Nanos.ofMillis(18));
        assertThat(t.rttNanos()).isEqualTo(Nanos.ofMillis(11));
    }
}
