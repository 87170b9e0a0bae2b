package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.tcp.TcpHarness.LOCAL_ISS;
import static org.mptcp4j.tcp.TcpHarness.REMOTE_ISS;
import static org.mptcp4j.tcp.TcpHarness.SEND;
import static org.mptcp4j.tcp.TcpHarness.seq;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.cc.ControllerFactory;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpOption.SackBlock;
import org.mptcp4j.wire.TcpOptions;
import org.mptcp4j.wire.TcpSegment;

/**
 * Loss recovery at the packet level, each case a loss pattern the testbed showed (issue 11): the
 * peer is played by the test; the handshake RTT is 10 ms, MSS 1448 with timestamps and SACK.
 */
class TcpLossRecoveryTest {
    private static final int L1 = LOCAL_ISS + 1;
    private static final int R1 = seq(REMOTE_ISS, 1);
    private static final int MSS = 1448;
    private static final int PEER_TS = 5000;

    /** The peer's ACK: cumulative {@code ack}, echoing {@code tsEcr}, with SACK blocks. */
    private static TcpSegment ack(int ack, int tsEcr, SackBlock... blocks) {
        List<TcpOption> options = new ArrayList<>();
        options.add(new TcpOption.Timestamps(PEER_TS, tsEcr));
        if (blocks.length > 0) {
            options.add(new TcpOption.Sack(List.of(blocks)));
        }
        return SEND.withSeq(R1).withAck(ack).withOptions(options);
    }

    private static SackBlock block(int fromSegment, int toSegment) {
        return new SackBlock(seq(L1, fromSegment * MSS), seq(L1, toSegment * MSS));
    }

    private static List<TcpSegment> sendSegments(TcpHarness h, int count) {
        h.conn.write(h.now, ByteBuffer.allocate(count * MSS));
        List<TcpSegment> sent = new ArrayList<>();
        for (TcpSegment s = h.recv(); s != null; s = h.recv()) {
            sent.add(s);
        }
        assertThat(sent).hasSize(count);
        return sent;
    }

    private static int tsval(TcpSegment s) {
        return s.option(TcpOption.Timestamps.class).orElseThrow().tsVal();
    }

    @Test
    void lastAckOfFlightLost_probeResendsLastSegment_dsackShowsNothingWasLost() {
        TcpHarness h = TcpOptionsTest.established();
        List<TcpSegment> sent = sendSegments(h, 5);
        h.advance(Nanos.ofMillis(10));
        h.send(ack(seq(L1, 4 * MSS), tsval(sent.get(3)))); // the ACK for the fifth is lost
        long cwnd = h.conn.cwndBytes();
        h.fireNextTimer(); // the probe timeout, before the RTO
        TcpSegment probe = h.recv();
        assertThat(probe.seq()).as("the last segment again").isEqualTo(sent.get(4).seq());
        assertThat(h.mib.get(MibCounter.TCP_LOSS_PROBES)).isEqualTo(1);
        // The peer had it: it answers with the cumulative ACK and a D-SACK for the duplicate.
        h.advance(Nanos.ofMillis(10));
        h.send(ack(seq(L1, 5 * MSS), tsval(probe), block(4, 5)));
        assertThat(h.mib.get(MibCounter.TCP_DSACK_RECV)).isEqualTo(1);
        assertThat(h.mib.get(MibCounter.TCP_TIMEOUTS)).isZero();
        assertThat(h.mib.get(MibCounter.TCP_LOSS_PROBE_RECOVERY)).isZero();
        assertThat(h.conn.cwndBytes()).isGreaterThanOrEqualTo(cwnd);
        assertThat(h.conn.nextDeadline()).as("nothing left to time").isEqualTo(Nanos.NEVER);
    }

    @Test
    void tailSegmentsLost_probeAndRackRepairThemWithoutRto() {
        TcpHarness h = TcpOptionsTest.established();
        List<TcpSegment> sent = sendSegments(h, 5);
        h.advance(Nanos.ofMillis(10));
        h.send(ack(seq(L1, 3 * MSS), tsval(sent.get(2)))); // segments 4 and 5 are lost
        long probeAt = h.fireNextTimer();
        assertThat(probeAt - h.now).isLessThanOrEqualTo(0);
        TcpSegment probe = h.recv();
        assertThat(probe.seq()).isEqualTo(sent.get(4).seq());
        h.advance(Nanos.ofMillis(10));
        h.send(ack(seq(L1, 3 * MSS), tsval(probe), block(4, 5))); // the probe arrived: segment 4 is missing
        h.advance(Nanos.ofMillis(5)); // RACK's reordering window passes
        TcpSegment repair = h.recv();
        assertThat(repair.seq()).isEqualTo(sent.get(3).seq());
        assertThat(h.mib.get(MibCounter.TCP_TIMEOUTS)).isZero();
        assertThat(h.mib.get(MibCounter.TCP_SACK_RECOVERY)).isEqualTo(1);
    }

    @Test
    void oneSegmentLostWithoutThreeDuplicates_rackRetransmitsAfterReorderWindow() {
        TcpHarness h = TcpOptionsTest.established();
        List<TcpSegment> sent = sendSegments(h, 2);
        h.advance(Nanos.ofMillis(10));
        h.send(ack(L1, tsval(sent.get(1)), block(1, 2))); // only one segment above the hole
        assertThat(h.recv()).as("a quarter RTT for reordering first").isNull();
        h.advance(Nanos.ofMillis(3));
        assertThat(h.recv().seq()).isEqualTo(L1);
        assertThat(h.mib.get(MibCounter.TCP_TIMEOUTS)).isZero();
    }

    @Test
    void spuriousTimeout_eifelUndoesTheReductionAndSendsNothingTwice() {
        // Without SACK there is no probe: the RTO fires while the ACKs are merely delayed.
        TcpHarness h = established(false);
        List<TcpSegment> sent = sendSegments(h, 3);
        long cwnd = h.conn.cwndBytes();
        h.fireNextTimer();
        TcpSegment rexmit = h.recv();
        assertThat(rexmit.seq()).isEqualTo(L1);
        assertThat(h.recv()).as("cwnd is one segment after the RTO").isNull();
        assertThat(h.conn.cwndBytes()).isLessThan(cwnd);
        // The delayed ACK for the original transmission: it echoes the original's timestamp.
        h.advance(Nanos.ofMillis(1));
        h.send(ack(seq(L1, MSS), tsval(sent.get(0))));
        assertThat(h.mib.get(MibCounter.TCP_SPURIOUS_RTOS)).isEqualTo(1);
        assertThat(h.conn.cwndBytes()).isGreaterThanOrEqualTo(cwnd);
        assertThat(h.recv()).as("segments 2 and 3 are in flight, not lost").isNull();
    }

    @Test
    void reorderedSegment_fastRetransmitUndoneByDsack() {
        TcpHarness h = TcpOptionsTest.established();
        List<TcpSegment> sent = sendSegments(h, 6);
        long cwnd = h.conn.cwndBytes();
        h.advance(Nanos.ofMillis(10));
        h.send(ack(L1, tsval(sent.get(5)), block(1, 6))); // segment 1 is late, five above it
        TcpSegment rexmit = h.recv();
        assertThat(rexmit.seq()).isEqualTo(L1);
        assertThat(h.conn.cwndBytes()).isLessThan(cwnd);
        h.send(ack(seq(L1, 6 * MSS), tsval(rexmit))); // the original arrives after all
        h.advance(Nanos.ofMillis(10));
        h.send(ack(seq(L1, 6 * MSS), tsval(rexmit), block(0, 1))); // and the retransmission is a duplicate
        assertThat(h.mib.get(MibCounter.TCP_DSACK_UNDO)).isEqualTo(1);
        assertThat(h.conn.cwndBytes()).isGreaterThanOrEqualTo(cwnd);
    }

    @Test
    void timeoutWithHeadSacked_receiverReneged_headResentAnyway() {
        TcpHarness h = TcpOptionsTest.established();
        List<TcpSegment> sent = sendSegments(h, 3);
        h.advance(Nanos.ofMillis(10));
        h.send(ack(L1, tsval(sent.get(0)), block(0, 1))); // SACKs the head without ACKing it
        TcpSegment next;
        do {
            h.fireNextTimer();
            next = h.recv();
        } while (h.mib.get(MibCounter.TCP_TIMEOUTS) == 0);
        while (next != null && next.seq() != L1) {
            next = h.recv();
        }
        assertThat(next).as("the head is resent after the RTO").isNotNull();
        assertThat(h.mib.get(MibCounter.TCP_SACK_RENEGING)).isEqualTo(1);
    }

    @Test
    void segmentSackedLongBeforeTheCumulativeAck_givesNoRttSample() {
        TcpHarness h = TcpOptionsTest.established();
        List<TcpSegment> sent = sendSegments(h, 2);
        h.advance(Nanos.ofMillis(10));
        h.send(ack(L1, tsval(sent.get(1)), block(1, 2)));
        h.advance(Nanos.ofMillis(3));
        TcpSegment rexmit = h.recv();
        h.advance(Nanos.ofMillis(500)); // the repair takes long
        h.send(SEND.withSeq(R1).withAck(seq(L1, 2 * MSS)).withOptions(List.of())); // no timestamp to time it by
        assertThat(rexmit.seq()).isEqualTo(L1);
        assertThat(h.conn.srttNanos()).as("segment 2 was timed when SACKed").isLessThan(Nanos.ofMillis(20));
    }

    @Test
    void sendingWhileHoldingOutOfOrderData_everySegmentFitsTheMss() {
        TcpHarness h = TcpOptionsTest.established();
        for (int k = 0; k < 3; k++) { // three holes in what the peer sent: three SACK blocks
            h.send(SEND.withSeq(seq(R1, 100 + 200 * k)).withAck(L1)
                    .withOptions(List.of(new TcpOption.Timestamps(PEER_TS, 1000))).withPayload(ByteBuffer.allocate(100)));
            h.recv();
        }
        h.conn.write(h.now, ByteBuffer.allocate(4 * MSS));
        int total = 0;
        for (TcpSegment s = h.recv(); s != null; s = h.recv()) {
            assertThat(s.option(TcpOption.Sack.class)).isPresent();
            assertThat(s.payloadLength() + TcpOptions.layoutLength(s.options())).as("RFC 6691").isLessThanOrEqualTo(1460);
            total += s.payloadLength();
        }
        assertThat(total).isEqualTo(4 * MSS);
    }

    @Test
    void receiveBatchWithoutPolling_oneAckPerTwoSegmentsAndPerOutOfOrderSegment() {
        TcpHarness h = TcpOptionsTest.established();
        for (int k = 0; k < 6; k++) {
            h.send(data(k * MSS, MSS));
        }
        for (int k = 0; k < 3; k++) {
            h.send(data((7 + 2 * k) * MSS, MSS)); // three segments after a hole
        }
        List<TcpSegment> acks = new ArrayList<>();
        for (TcpSegment s = h.recv(); s != null; s = h.recv()) {
            acks.add(s);
        }
        assertThat(acks).extracting(TcpSegment::ack).containsExactly(seq(R1, 2 * MSS), seq(R1, 4 * MSS),
                seq(R1, 6 * MSS), seq(R1, 6 * MSS), seq(R1, 6 * MSS), seq(R1, 6 * MSS));
        assertThat(acks.get(5).option(TcpOption.Sack.class).orElseThrow().blocks()).hasSize(3);
    }

    @Test
    void superSegmentFromReceiveOffload_countsAsTheSegmentsItHolds() {
        TcpHarness h = TcpOptionsTest.established();
        h.send(data(0, 44 * MSS));
        TcpSegment ack = h.recv();
        assertThat(ack).as("acknowledged at once, not after the delayed-ACK timer").isNotNull();
        assertThat(ack.ack()).isEqualTo(seq(R1, 44 * MSS));
    }

    @Test
    void keepaliveWithDataInFlight_neverResetsTheConnection() {
        TcpConfig p = TcpOptionsTest.fullConfig();
        TcpConfig keepalive = new TcpConfig(p.mss(), p.sendBufferBytes(), p.receiveBufferBytes(), p.receiveBufferMaxBytes(), p.initialRtoNanos(),
                p.minRtoNanos(), p.maxRtoNanos(), p.delayedAckNanos(), p.timeWaitNanos(), false, false, false, false,
                Nanos.ofSeconds(1), Nanos.ofMillis(100), 2, p.synRetries(), p.synAckRetries(), p.maxRetransmits(),
                ControllerFactory.reno());
        TcpHarness h = TcpHarness.established(keepalive);
        h.conn.write(h.now, ByteBuffer.allocate(1000));
        h.recv();
        h.advance(Nanos.ofSeconds(5)); // RTOs back off; keepalive would have given up after 1.2 s
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.mib.get(MibCounter.TCP_ABORT_ON_TIMEOUT)).isZero();
    }

    @Test
    void nagle_neverHoldsTheSegmentCarryingTheFin() {
        TcpConfig p = TcpOptionsTest.fullConfig();
        TcpConfig nagle = new TcpConfig(p.mss(), p.sendBufferBytes(), p.receiveBufferBytes(), p.receiveBufferMaxBytes(), p.initialRtoNanos(),
                p.minRtoNanos(), p.maxRtoNanos(), p.delayedAckNanos(), p.timeWaitNanos(), false, false, false, true,
                Nanos.NEVER, p.keepaliveIntervalNanos(), p.keepaliveProbes(), p.synRetries(), p.synAckRetries(),
                p.maxRetransmits(), ControllerFactory.reno());
        TcpHarness h = TcpHarness.established(nagle);
        h.conn.write(h.now, ByteBuffer.allocate(100));
        assertThat(h.recv().payloadLength()).isEqualTo(100);
        h.conn.write(h.now, ByteBuffer.allocate(50));
        assertThat(h.recv()).as("Nagle holds a small segment").isNull();
        h.conn.shutdownOutput(h.now);
        TcpSegment last = h.recv();
        assertThat(last.payloadLength()).isEqualTo(50);
        assertThat(last.has(TcpFlags.FIN)).isTrue();
    }

    @Test
    void withoutSack_limitedTransmitSendsOneNewSegmentPerEarlyDuplicate() {
        TcpHarness h = established(false);
        h.send(ack(L1, 1010)); // the first scaled window (RFC 7323 2.2): from now on windows compare
        h.conn.write(h.now, ByteBuffer.allocate(20 * MSS));
        int sent = 0;
        while (h.recv() != null) {
            sent++;
        }
        assertThat(sent).isEqualTo(10); // the initial window
        h.advance(Nanos.ofMillis(10));
        h.send(ack(L1, 1010)); // first duplicate
        assertThat(h.recv()).as("RFC 3042: one new segment").isNotNull();
        assertThat(h.recv()).isNull();
        h.send(ack(L1, 1010)); // second duplicate
        assertThat(h.recv()).isNotNull();
        assertThat(h.recv()).isNull();
    }

    @Test
    void pathMtuFalls_segmentsInFlightResentInPieces() {
        TcpHarness h = TcpOptionsTest.established();
        List<TcpSegment> sent = sendSegments(h, 3);
        h.conn.handlePathMtu(h.now, 1280);
        int resentBytes = 0;
        for (TcpSegment s = h.recv(); s != null; s = h.recv()) {
            assertThat(s.payloadLength() + TcpOptions.layoutLength(s.options())).isLessThanOrEqualTo(1280 - 40);
            resentBytes += s.payloadLength();
        }
        assertThat(resentBytes).isPositive();
        assertThat(h.conn.mss()).isEqualTo(1280 - 40 - 12);
        assertThat(h.mib.get(MibCounter.TCP_PMTU_RETRANSMITS)).isEqualTo(3);
        assertThat(sent).hasSize(3);
    }

    @Test
    void fullWindowInFlight_fastRetransmitLeavesAtOnce_thoughPipeExceedsTheHalvedWindow_rfc6675() {
        TcpHarness h = TcpOptionsTest.established();
        h.conn.write(h.now, ByteBuffer.allocate(100 * MSS));
        int sent = 0;
        while (h.recv() != null) {
            sent++;
        }
        h.advance(Nanos.ofMillis(10));
        int acked = 0;
        while (h.conn.cwndBytes() < 20L * MSS) { // one ACK per segment: slow start opens cwnd to 20 segments
            h.send(ack(seq(L1, ++acked * MSS), 1010));
            while (h.recv() != null) {
                sent++;
            }
        }
        assertThat(sent - acked).as("a full window in flight").isEqualTo(20);
        int base = acked * MSS;
        h.advance(Nanos.ofMillis(10));
        // The first of the 20 is lost; SACKs come one segment at a time. On the third, RACK
        // declares it lost (three segments SACKed above it) and recovery halves cwnd to 10
        // segments while 16 are still in flight: step (4.3) resends it all the same.
        TcpSegment rexmit = null;
        for (int k = 1; k <= 3; k++) {
            h.send(ack(seq(L1, base), 1020, new SackBlock(seq(L1, base + MSS), seq(L1, base + (k + 1) * MSS))));
            for (TcpSegment s = h.recv(); s != null; s = h.recv()) {
                if (s.seq() == seq(L1, base)) {
                    rexmit = s;
                }
            }
        }
        assertThat(h.conn.ssthreshBytes()).isEqualTo(10L * MSS);
        assertThat(rexmit).as("fast retransmit").isNotNull();
        assertThat(h.mib.get(MibCounter.TCP_FAST_RETRANS)).isEqualTo(1);
    }

    @Test
    void pathMtuLearntDuringTheHandshake_survivesTheSynAcksLargerMss() {
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(TcpOptionsTest.fullConfig(), h, h.mib, SubflowExtension.PLAIN, TcpHarness.LOCAL,
                TcpHarness.REMOTE, LOCAL_ISS, 0, new org.mptcp4j.cc.CoupledGroup(), h.now);
        h.recv();
        h.conn.handlePathMtu(h.now, 1280); // an ICMP quoting our SYN
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(
                new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(PEER_TS, 1000))));
        assertThat(h.conn.mss()).isEqualTo(1280 - 40 - 12);
    }

    @Test
    void pullFromTheConnectionLevel_asksForWholeSegmentsOnly() {
        List<Integer> asked = new ArrayList<>();
        SubflowExtension ext = new SubflowExtension() {
            @Override
            public int pullSendData(TcpConnection c, long now, int maxBytes) {
                asked.add(maxBytes);
                return c.appendSendData(ByteBuffer.allocate(Math.min(maxBytes, 3 * MSS + 100)));
            }
        };
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(TcpOptionsTest.fullConfig(), h, h.mib, ext, TcpHarness.LOCAL,
                TcpHarness.REMOTE, LOCAL_ISS, 0, new org.mptcp4j.cc.CoupledGroup(), h.now);
        h.recv();
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(
                new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(PEER_TS, 1000))));
        while (h.recv() != null) {
            // pulls until the window is full
        }
        assertThat(asked).isNotEmpty().allSatisfy(n -> assertThat(n % MSS).isZero());
    }

    // ------------------------------------------------------------------------------ helpers

    private static TcpSegment data(int offset, int length) {
        return SEND.withSeq(seq(R1, offset)).withAck(L1).withOptions(List.of(new TcpOption.Timestamps(PEER_TS, 1000)))
                .withPayload(ByteBuffer.allocate(length));
    }

    /** Established with timestamps, with or without SACK, MSS 1448 after timestamps, Reno. */
    private static TcpHarness established(boolean sack) {
        if (sack) {
            return TcpOptionsTest.established();
        }
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(TcpOptionsTest.fullConfig(), h, h.mib, SubflowExtension.PLAIN, TcpHarness.LOCAL,
                TcpHarness.REMOTE, LOCAL_ISS, 0, new org.mptcp4j.cc.CoupledGroup(), h.now);
        h.recv();
        h.advance(Nanos.ofMillis(10));
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(
                new TcpOption.Mss(1460), new TcpOption.Timestamps(PEER_TS, 1000), new TcpOption.WindowScale(7))));
        h.recv();
        assertThat(h.conn.sackEnabled()).isFalse();
        return h;
    }
}
