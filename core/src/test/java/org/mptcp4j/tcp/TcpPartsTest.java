package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.wire.TcpOption.SackBlock;

/** The engine's parts on their own: RTT estimator, timers, send buffer, scoreboard (reassembly: ReceiveBufferTest). */
class TcpPartsTest {

    @Test
    void rtt_firstSampleThenSmoothing_rfc6298() {
        RttEstimator r = new RttEstimator(Nanos.ofSeconds(1), Nanos.ofMillis(200), Nanos.ofSeconds(60));
        assertThat(r.rtoNanos()).isEqualTo(Nanos.ofSeconds(1));
        r.onSample(Nanos.ofMillis(100));
        assertThat(r.srttNanos()).isEqualTo(Nanos.ofMillis(100));
        assertThat(r.rttvarNanos()).isEqualTo(Nanos.ofMillis(50));
        assertThat(r.rtoNanos()).isEqualTo(Nanos.ofMillis(300));
        r.onSample(Nanos.ofMillis(200));
        assertThat(r.srttNanos()).isEqualTo(Nanos.ofMillis(112) + 500_000);
        assertThat(r.rttvarNanos()).isEqualTo(Nanos.ofMillis(62) + 500_000);
    }

    @Test
    void rtt_backoffDoublesUpToTheCeiling_andFloorApplies() {
        RttEstimator r = new RttEstimator(Nanos.ofSeconds(1), Nanos.ofMillis(200), Nanos.ofSeconds(60));
        r.onSample(Nanos.ofMillis(10));
        // Linux's floor: SRTT + max(4 RTTVAR, 200 ms), so the timer outlasts a 200 ms delayed ACK.
        assertThat(r.rtoNanos()).isEqualTo(Nanos.ofMillis(210));
        r.onBackoff();
        r.onBackoff();
        assertThat(r.rtoNanos()).isEqualTo(Nanos.ofMillis(840));
        for (int i = 0; i < 20; i++) {
            r.onBackoff();
        }
        assertThat(r.rtoNanos()).isEqualTo(Nanos.ofSeconds(60));
        r.onSample(Nanos.ofMillis(10));
        assertThat(r.backoffCount()).isZero();
    }

    @Test
    void timerTable_nextIsTheMinimum_expiredInOrdinalOrder() {
        TimerTable t = new TimerTable();
        assertThat(t.next()).isEqualTo(Nanos.NEVER);
        t.set(Timer.KEEPALIVE, 50);
        t.set(Timer.DELAYED_ACK, 30);
        t.setIfStopped(Timer.DELAYED_ACK, 10);
        assertThat(t.next()).isEqualTo(30);
        assertThat(t.expired(40)).isEqualTo(Timer.DELAYED_ACK);
        t.stop(Timer.DELAYED_ACK);
        assertThat(t.expired(40)).isNull();
        assertThat(t.expired(50)).isEqualTo(Timer.KEEPALIVE);
    }

    @Test
    void sendBuffer_wrapsAround() {
        SendBuffer b = new SendBuffer(10);
        assertThat(b.append(ByteBuffer.wrap("abcdefgh".getBytes()))).isEqualTo(8);
        b.release(6);
        assertThat(b.append(ByteBuffer.wrap("ijklmnopq".getBytes()))).isEqualTo(8);
        byte[] out = new byte[10];
        b.copy(0, 10, ByteBuffer.wrap(out), 0);
        assertThat(new String(out)).isEqualTo("ghijklmnop");
        assertThat(b.freeSpace()).isZero();
    }

    /**
     * Appends and releases of every size, many across chunk boundaries, against a plain model of the
     * stream: what {@code copy} reads back is what was appended, the limit holds, and the memory
     * taken stays within the peak holding and a part-filled chunk at each end (released chunks are
     * used again).
     */
    @Test
    void sendBuffer_readsBackWhatWasAppended_acrossChunks_memoryWithinThePeak() {
        long seed = 20261203L;
        java.util.Random random = new java.util.Random(seed);
        int capacity = 5 * SendBuffer.CHUNK_BYTES + 1234;
        SendBuffer b = new SendBuffer(capacity);
        long appended = 0;
        long released = 0;
        int peak = 0;
        for (int round = 0; round < 3000; round++) {
            int want = random.nextInt(4) == 0 ? random.nextInt(3 * SendBuffer.CHUNK_BYTES) : random.nextInt(3000);
            byte[] src = new byte[want];
            for (int i = 0; i < want; i++) {
                src[i] = streamByte(appended + i);
            }
            int taken = b.append(ByteBuffer.wrap(src));
            assertThat(taken).as("seed %d round %d", seed, round).isEqualTo(Math.min(want, capacity - (int) (appended - released)));
            appended += taken;
            peak = Math.max(peak, b.length());
            int offset = b.length() == 0 ? 0 : random.nextInt(b.length());
            int len = random.nextInt(b.length() - offset + 1);
            byte[] out = new byte[len + 3];
            b.copy(offset, len, ByteBuffer.wrap(out), 3);
            byte[] expected = new byte[len];
            for (int i = 0; i < len; i++) {
                expected[i] = streamByte(released + offset + i);
            }
            if (!java.util.Arrays.equals(out, 3, 3 + len, expected, 0, len)) {
                throw new AssertionError("seed " + seed + " round " + round + ": bytes from " + (released + offset) + " differ");
            }
            int drop = random.nextInt(3) == 0 ? b.length() : random.nextInt(b.length() + 1);
            b.release(drop);
            released += drop;
            assertThat(b.length()).isEqualTo((int) (appended - released));
            int bound = peak + 2 * SendBuffer.CHUNK_BYTES; // the first and the last chunk part-filled
            assertThat(b.allocatedBytes()).as("seed %d round %d", seed, round).isLessThanOrEqualTo(bound);
        }
        assertThat(appended).as("the limit was reached and the stream went on past it").isGreaterThan(10L * capacity);
    }

    @Test
    void sendBuffer_aSmallWriteTakesASmallArray() {
        SendBuffer b = new SendBuffer(4 << 20);
        b.append(ByteBuffer.wrap(new byte[100]));
        assertThat(b.allocatedBytes()).isEqualTo(4096);
        b.append(ByteBuffer.wrap(new byte[5000]));
        assertThat(b.allocatedBytes()).isEqualTo(8192);
        for (int i = 0; i < 100; i++) { // filled to the brim and emptied, again and again: still 8 KiB
            b.release(b.length());
            b.append(ByteBuffer.wrap(new byte[8192]));
        }
        assertThat(b.allocatedBytes()).isEqualTo(8192);
    }

    private static byte streamByte(long index) {
        return (byte) (index * 31 + (index >>> 9));
    }

    @Test
    void scoreboard_rackMarksWhatWasSentBeforeADeliveredSegment_onceItsTimeIsUp_rfc8985() {
        RetransmitQueue q = new RetransmitQueue();
        for (int i = 0; i < 6; i++) {
            q.add(i * 100, 100, false, false, i); // sent at 0, 1, ... 5 ns
        }
        q.beginAck(10, 0);
        assertThat(q.onSack(List.of(new SackBlock(200, 400)))).isEqualTo(200);
        assertThat(q.deliveredXmitNanos()).as("the newest delivered transmission").isEqualTo(3);
        // RACK.rtt is 10 - 3 = 7; with a reordering window of 5 the segment sent at 0 has 2 ns to go.
        assertThat(q.rackDetectLoss(3, 400, 7 + 5, 10)).isEqualTo(2);
        assertThat(q.lostBytes()).isZero();
        // Without a reordering window, 0 and 100 are lost; 400 and 500 were sent after the delivered one.
        assertThat(q.rackDetectLoss(3, 400, 7, 10)).isEqualTo(-1);
        assertThat(q.lostBytes()).isEqualTo(200);
        assertThat(q.pipe()).isEqualTo(600 - 200 - 200);
        int pos = q.nextToRetransmit();
        assertThat(q.seq(pos)).isZero();
        q.onRetransmitted(pos, 10);
        assertThat(q.pipe()).as("the retransmission is in flight again").isEqualTo(300);
        assertThat(q.seq(q.nextToRetransmit())).isEqualTo(100);
        q.checkInvariants();
        q.ackTo(150); // partial ACK trims the segment at 100
        assertThat(q.seq(0)).isEqualTo(150);
        assertThat(q.outstandingBytes()).isEqualTo(450);
        q.checkInvariants();
        q.markLostOnTimeout(Long.MAX_VALUE / 2, 0, false); // an RTO long after everything was sent
        assertThat(q.pipe()).isZero();
        q.checkInvariants();
    }

    @Test
    void scoreboard_rackFindsALostRetransmission_afterAnUndo_byItsLastTransmission_rfc8985() {
        // MptcpHandoverTest seed 1 with delayed ACKs: a segment resent while its path was down (so
        // lost), then an RTO whose marks its undo (Eifel) took away: only the backed-off RTO, 2.7 s
        // later, would have resent it.
        RetransmitQueue q = new RetransmitQueue();
        for (int i = 0; i < 3; i++) {
            q.add(i * 100, 100, false, false, i); // sent at 0, 1, 2 ns
        }
        q.markLostOnTimeout(50, 0, false); // an RTO: all three lost
        q.onRetransmitted(q.nextToRetransmit(), 50); // 0 resent at 50
        q.unmarkLost(); // its undo: the resent head is neither lost nor counted in flight now
        q.add(300, 100, false, false, 60);
        q.add(400, 100, false, false, 70);
        q.beginAck(80, 0);
        q.onSack(List.of(new SackBlock(300, 400)));
        // 300 (sent at 60) was delivered: 100 and 200 (sent at 1 and 2) are lost at once; the head,
        // last sent at 50, after RACK.rtt + reo_wnd = 20 from then: 10 ns more.
        assertThat(q.rackDetectLoss(60, 400, 20, 60)).isEqualTo(10);
        assertThat(q.isLost(0)).isFalse();
        assertThat(q.lostBytes()).isEqualTo(200);
        assertThat(q.rackDetectLoss(60, 400, 20, 70)).isEqualTo(-1);
        assertThat(q.isLost(0)).as("the resent head, lost again").isTrue();
        assertThat(q.lostRetransmissions()).isEqualTo(1);
        assertThat(q.seq(q.nextToRetransmit())).isZero();
        q.checkInvariants();
    }

    @Test
    void scoreboard_karn_noRttFromRetransmittedSegments() {
        RetransmitQueue q = new RetransmitQueue();
        q.add(0, 100, false, false, 5);
        q.add(100, 100, false, false, 6);
        q.markHeadLost();
        q.onRetransmitted(0, 50);
        q.beginAck(60, 0);
        q.ackTo(100);
        assertThat(q.ackedRetransmitted()).isTrue();
        assertThat(q.rttSentNanos()).isEqualTo(-1);
        q.beginAck(70, 0);
        q.ackTo(200);
        assertThat(q.rttSentNanos()).isEqualTo(6);
    }

    @Test
    void isn_rfc6528_differsPerTupleAndAdvancesWithTime() throws Exception {
        IsnGenerator g = new IsnGenerator(Rng.seeded(1));
        var a = java.net.InetAddress.getByName("10.0.0.1");
        var b = java.net.InetAddress.getByName("10.0.0.2");
        int i1 = g.isn(0, a, 1000, b, 80);
        int i2 = g.isn(0, a, 1001, b, 80);
        assertThat(i1).isNotEqualTo(i2);
        assertThat(g.isn(4_000_000, a, 1000, b, 80) - i1).isEqualTo(1000); // M ticks every 4 us
    }
}
