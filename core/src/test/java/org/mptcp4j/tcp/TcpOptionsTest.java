package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.tcp.TcpHarness.LOCAL_ISS;
import static org.mptcp4j.tcp.TcpHarness.RECV;
import static org.mptcp4j.tcp.TcpHarness.REMOTE_ISS;
import static org.mptcp4j.tcp.TcpHarness.SEND;
import static org.mptcp4j.tcp.TcpHarness.bytes;
import static org.mptcp4j.tcp.TcpHarness.seq;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.cc.ControllerFactory;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.OutgoingSegment;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/** Option negotiation and use: MSS, window scale, SACK, timestamps (RFC 7323, RFC 2018), keepalive, Nagle, the extension seam. */
class TcpOptionsTest {
    private static final int L1 = LOCAL_ISS + 1;
    private static final int R1 = seq(REMOTE_ISS, 1);
    private static final int PEER_TS = 5000;

    static TcpConfig fullConfig() {
        TcpConfig p = TcpHarness.plainConfig();
        return new TcpConfig(1460, 1 << 20, 1 << 20, 1 << 20, p.initialRtoNanos(), p.minRtoNanos(), p.maxRtoNanos(),
                p.delayedAckNanos(), p.timeWaitNanos(), true, true, true, false, Nanos.NEVER,
                p.keepaliveIntervalNanos(), p.keepaliveProbes(), p.synRetries(), p.synAckRetries(), p.maxRetransmits(),
                ControllerFactory.reno());
    }

    /** Established with every option: peer MSS 1460, shift 7, SACK, timestamps. */
    static TcpHarness established() {
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(fullConfig(), h, h.mib, SubflowExtension.PLAIN, TcpHarness.LOCAL,
                TcpHarness.REMOTE, LOCAL_ISS, 0, new org.mptcp4j.cc.CoupledGroup(), h.now);
        TcpSegment syn = h.recv();
        assertThat(syn.options()).containsExactly(new TcpOption.Mss(1460), new TcpOption.SackPermitted(),
                new TcpOption.Timestamps(1000, 0), new TcpOption.WindowScale(5));
        h.advance(Nanos.ofMillis(10)); // the handshake's RTT
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(
                new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(PEER_TS, 1000),
                new TcpOption.WindowScale(7))));
        TcpSegment ack = h.recv();
        assertThat(ack.options()).containsExactly(new TcpOption.Timestamps(1010, PEER_TS));
        assertThat(ack.window()).isEqualTo((1 << 20) >> 5);
        h.events.clear();
        return h;
    }

    private static TcpSegment data(int offset, String s, int tsVal) {
        return SEND.withFlags(TcpFlags.ACK).withSeq(seq(R1, offset)).withAck(L1)
                .withOptions(List.of(new TcpOption.Timestamps(tsVal, 1000))).withPayload(bytes(s));
    }

    @Test
    void negotiation_everything_mssLessTimestampsAndScaledWindow() {
        TcpHarness h = established();
        assertThat(h.conn.mss()).isEqualTo(1448);
        assertThat(h.conn.sackEnabled()).isTrue();
        assertThat(h.conn.timestampsEnabled()).isTrue();
        assertThat(h.conn.sendWindowShift()).isEqualTo(7);
        h.send(SEND.withSeq(R1).withAck(L1).withWindow(100).withOptions(List.of(new TcpOption.Timestamps(PEER_TS + 1, 1000))));
        assertThat(h.conn.sndWnd()).isEqualTo(100L << 7);
    }

    @Test
    void negotiation_peerWithoutOptions_plainTcpWithDefaultMss() {
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(fullConfig(), h, h.mib, SubflowExtension.PLAIN, TcpHarness.LOCAL,
                TcpHarness.REMOTE, LOCAL_ISS, 0, new org.mptcp4j.cc.CoupledGroup(), h.now);
        h.recv();
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(L1));
        TcpSegment ack = h.recv();
        assertThat(ack.options()).isEmpty();
        assertThat(ack.window()).isEqualTo(65535); // unscaled, capped
        assertThat(h.conn.mss()).isEqualTo(TcpConfig.DEFAULT_PEER_MSS);
        assertThat(h.conn.sackEnabled() || h.conn.timestampsEnabled() || h.conn.windowScaleEnabled()).isFalse();
    }

    @Test
    void paws_olderTimestamp_droppedAndAcked() {
        TcpHarness h = established();
        h.send(data(0, "new", PEER_TS + 10));
        h.send(data(3, "old", PEER_TS - 10));
        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isEqualTo(1);
        assertThat(h.readAll()).isEqualTo("new");
        assertThat(h.recv().ack()).isEqualTo(seq(R1, 3));
    }

    @Test
    void timestamps_echoTheLatestInOrderTsVal() {
        TcpHarness h = established();
        h.send(data(0, "ab", PEER_TS + 1));
        h.send(data(2, "cd", PEER_TS + 2));
        h.advance(Nanos.ofMillis(40));
        TcpSegment ack = h.recv();
        assertThat(ack.option(TcpOption.Timestamps.class).orElseThrow().tsEcr()).isEqualTo(PEER_TS + 1);
    }

    @Test
    void rttFromTimestampEcho_evenForRetransmittedData_rfc7323() {
        TcpHarness h = established();
        h.conn.write(h.now, bytes("x"));
        TcpSegment first = h.recv();
        h.fireNextTimer(); // RTO: retransmission
        TcpSegment again = h.recv();
        int echoed = again.option(TcpOption.Timestamps.class).orElseThrow().tsVal();
        h.advance(Nanos.ofMillis(30));
        h.send(SEND.withSeq(R1).withAck(L1 + 1).withOptions(List.of(new TcpOption.Timestamps(PEER_TS + 1, echoed))));
        // RFC 6298 (2.3): SRTT = 7/8 * 10 ms (the SYN's sample) + 1/8 * 30 ms.
        assertThat(h.conn.srttNanos()).isEqualTo(Nanos.ofMillis(12) + 500_000);
        assertThat(first.seq()).isEqualTo(again.seq());
    }

    @Test
    void outOfOrderData_ackCarriesSackBlocksNewestFirst() {
        TcpHarness h = established();
        h.send(data(10, "bbb", PEER_TS));
        TcpSegment a1 = h.recv();
        assertThat(a1.option(TcpOption.Sack.class).orElseThrow().blocks())
                .containsExactly(new TcpOption.SackBlock(seq(R1, 10), seq(R1, 13)));
        h.send(data(20, "ccc", PEER_TS));
        TcpSegment a2 = h.recv();
        assertThat(a2.ack()).isEqualTo(R1);
        assertThat(a2.option(TcpOption.Sack.class).orElseThrow().blocks()).containsExactly(
                new TcpOption.SackBlock(seq(R1, 20), seq(R1, 23)), new TcpOption.SackBlock(seq(R1, 10), seq(R1, 13)));
        h.send(data(0, "aaaaaaaaaa", PEER_TS));
        TcpSegment a3 = h.recv();
        assertThat(a3.ack()).isEqualTo(seq(R1, 13));
        assertThat(a3.option(TcpOption.Sack.class).orElseThrow().blocks())
                .containsExactly(new TcpOption.SackBlock(seq(R1, 20), seq(R1, 23)));
    }

    /**
     * RFC 5961 section 3.2 resets only on a RST at RCV.NXT; Linux also takes one at the right edge
     * of its highest SACK block, where a peer whose earlier segments were lost sends it.
     */
    @Test
    void outOfOrderData_rstAtTheRightEdgeOfTheHighestSackBlock_resets() {
        TcpHarness h = holdingTwoOutOfOrderRanges();
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(seq(R1, 23)));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("error:RESET_BY_PEER", "closed");
        assertThat(h.mib.get(MibCounter.TCP_CHALLENGE_ACK)).isZero();
    }

    @Test
    void outOfOrderData_rstAtTheEdgeOfALowerSackBlock_challengeAck() {
        TcpHarness h = holdingTwoOutOfOrderRanges();
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(seq(R1, 13)));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.recv().ack()).isEqualTo(R1);
        assertThat(h.mib.get(MibCounter.TCP_CHALLENGE_ACK)).isEqualTo(1);
    }

    /** Established, holding [10, 13) and [20, 23) beyond RCV.NXT, both SACKed. */
    private static TcpHarness holdingTwoOutOfOrderRanges() {
        TcpHarness h = established();
        h.send(data(10, "bbb", PEER_TS));
        h.send(data(20, "ccc", PEER_TS));
        h.recv();
        h.recv();
        return h;
    }

    @Test
    void duplicateData_ackCarriesDsackFirst_rfc2883() {
        TcpHarness h = established();
        h.send(data(10, "bbb", PEER_TS));
        h.recv();
        // [5, 13) arrives: [10, 13) is held already; the D-SACK names it, then the block holding it.
        h.send(data(5, "xxxxxbbb", PEER_TS));
        assertThat(h.recv().option(TcpOption.Sack.class).orElseThrow().blocks()).containsExactly(
                new TcpOption.SackBlock(seq(R1, 10), seq(R1, 13)), new TcpOption.SackBlock(seq(R1, 5), seq(R1, 13)));
        // The hole fills, and the segment repeats [5, 13): a D-SACK below the new cumulative ACK.
        h.send(data(0, "aaaaaxxxxxbbb", PEER_TS));
        TcpSegment a = h.recv();
        assertThat(a.ack()).isEqualTo(seq(R1, 13));
        assertThat(a.option(TcpOption.Sack.class).orElseThrow().blocks())
                .containsExactly(new TcpOption.SackBlock(seq(R1, 5), seq(R1, 13)));
        // [10, 16) overlaps RCV.NXT: its first three bytes are duplicates.
        h.send(data(10, "bbbccc", PEER_TS));
        h.advance(Nanos.ofMillis(40)); // the ACK may wait for the delayed-ACK timer
        TcpSegment b = h.recv();
        assertThat(b.ack()).isEqualTo(seq(R1, 16));
        assertThat(b.option(TcpOption.Sack.class).orElseThrow().blocks())
                .containsExactly(new TcpOption.SackBlock(seq(R1, 10), seq(R1, 13)));
        // Reported once: the next ACK has no SACK option.
        h.send(data(16, "d", PEER_TS));
        h.advance(Nanos.ofMillis(40));
        assertThat(h.recv().option(TcpOption.Sack.class)).isEmpty();
        assertThat(h.readAll()).isEqualTo("aaaaaxxxxxbbbcccd");
    }

    @Test
    void sackRecovery_retransmitsOnlyTheHoles() {
        TcpHarness h = established();
        h.conn.write(h.now, ByteBuffer.allocate(8 * 1448));
        List<TcpSegment> sent = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            sent.add(h.recv());
        }
        // Segments 0 and 2 lost: the peer SACKs 1 and 3..7.
        int s1 = sent.get(1).seq();
        int s3 = sent.get(3).seq();
        int end = seq(sent.get(7).seq(), 1448);
        for (int k = 4; k <= 7; k++) {
            h.send(SEND.withSeq(R1).withAck(L1).withOptions(List.of(new TcpOption.Timestamps(PEER_TS, 1000),
                    new TcpOption.Sack(List.of(new TcpOption.SackBlock(s3, seq(sent.get(k).seq(), 1448)),
                            new TcpOption.SackBlock(s1, seq(s1, 1448)))))));
        }
        assertThat(h.mib.get(MibCounter.TCP_SACK_RECOVERY)).isEqualTo(1);
        assertThat(h.recv().seq()).isEqualTo(L1);
        assertThat(h.recv().seq()).isEqualTo(sent.get(2).seq());
        assertThat(h.conn.retransmits()).isEqualTo(2);
        h.send(SEND.withSeq(R1).withAck(end).withOptions(List.of(new TcpOption.Timestamps(PEER_TS, 1000))));
        assertThat(h.conn.bytesInFlight()).isZero();
    }

    @Test
    void keepalive_probesThenResetsWhenUnanswered() {
        TcpConfig p = fullConfig();
        TcpConfig cfg = new TcpConfig(p.mss(), p.sendBufferBytes(), p.receiveBufferBytes(), p.receiveBufferMaxBytes(),
                p.initialRtoNanos(),
                p.minRtoNanos(), p.maxRtoNanos(), p.delayedAckNanos(), p.timeWaitNanos(), false, false, false, false,
                Nanos.ofSeconds(10), Nanos.ofSeconds(1), 3, p.synRetries(), p.synAckRetries(), p.maxRetransmits(),
                p.congestionControl());
        TcpHarness h = TcpHarness.established(cfg);
        long start = h.now;
        h.fireNextTimer();
        assertThat(h.now - start).isEqualTo(Nanos.ofSeconds(10));
        h.expect(RECV.withSeq(L1 - 1).withAck(R1).withWindow(65535));
        // An answer resets the idle timer.
        h.send(SEND.withSeq(R1).withAck(L1));
        h.fireNextTimer();
        h.recv();
        h.fireNextTimer();
        h.recv();
        h.fireNextTimer();
        h.recv();
        h.fireNextTimer();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).contains("error:TIMED_OUT");
        assertThat(h.mib.get(MibCounter.TCP_KEEPALIVE)).isEqualTo(4);
    }

    @Test
    void nagle_holdsSmallSegmentWhileDataIsUnacknowledged() {
        TcpConfig p = TcpHarness.plainConfig();
        TcpConfig cfg = new TcpConfig(p.mss(), p.sendBufferBytes(), p.receiveBufferBytes(), p.receiveBufferMaxBytes(),
                p.initialRtoNanos(),
                p.minRtoNanos(), p.maxRtoNanos(), p.delayedAckNanos(), p.timeWaitNanos(), false, false, false, true,
                Nanos.NEVER, p.keepaliveIntervalNanos(), p.keepaliveProbes(), p.synRetries(), p.synAckRetries(),
                p.maxRetransmits(), p.congestionControl());
        TcpHarness h = TcpHarness.established(cfg);
        h.conn.write(h.now, bytes("a"));
        assertThat(h.recv().payloadLength()).isEqualTo(1);
        h.conn.write(h.now, bytes("b"));
        h.expectNothing();
        h.send(SEND.withSeq(R1).withAck(L1 + 1));
        assertThat(h.recv().payloadLength()).isEqualTo(1);
    }

    /** The MPTCP seam: options out with the room left, options in, data to and from the connection level. */
    @Test
    void subflowExtension_addsOptionsAndOwnsTheData() {
        List<Integer> room = new ArrayList<>();
        List<String> delivered = new ArrayList<>();
        List<TcpSegment> seen = new ArrayList<>();
        SubflowExtension ext = new SubflowExtension() {
            @Override
            public void writeOptions(TcpConnection c, OutgoingSegment segment, int remaining) {
                room.add(remaining);
                MptcpOption.Dss dss = new MptcpOption.Dss(OptionalLong.of(77), false, java.util.Optional.empty(), false);
                if (dss.encodedLength() <= remaining) {
                    segment.add(dss);
                }
            }

            @Override
            public boolean onSegmentReceived(TcpConnection c, TcpSegment segment) {
                seen.add(segment);
                return true;
            }

            @Override
            public boolean takesReceivedData() {
                return true;
            }

            @Override
            public void onDataReceived(TcpConnection c, long now, int seq, ByteBuffer data) {
                delivered.add(java.nio.charset.StandardCharsets.US_ASCII.decode(data) + "@" + (seq - R1));
            }

            @Override
            public int pullSendData(TcpConnection c, long now, int maxBytes) {
                return c.appendSendData(bytes("pulled"));
            }
        };
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(fullConfig(), h, h.mib, ext, TcpHarness.LOCAL, TcpHarness.REMOTE, LOCAL_ISS, 0,
                new org.mptcp4j.cc.CoupledGroup(), h.now);
        TcpSegment syn = h.recv();
        assertThat(room).containsExactly(40 - 20);
        assertThat(syn.option(MptcpOption.Dss.class)).isPresent();
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(L1)
                .withOptions(List.of(new TcpOption.Mss(1460))));
        TcpSegment first = h.recv(); // the pulled data, carrying the extension's option
        assertThat(first.payload()).isEqualTo(bytes("pulled"));
        assertThat(first.option(MptcpOption.Dss.class)).isPresent();
        h.send(SEND.withSeq(R1).withAck(L1 + 6).withPayload(bytes("hello")));
        assertThat(delivered).containsExactly("hello@0");
        assertThat(h.conn.readable()).isZero();
        assertThat(seen).hasSize(2);
    }
    @Test
    void lostRetransmission_detectedBySackOfLaterData_resentBeforeRto() {
        TcpHarness h = established();
        h.conn.write(h.now, ByteBuffer.allocate(20 * 1448));
        List<TcpSegment> sent = new ArrayList<>();
        for (TcpSegment s = h.recv(); s != null; s = h.recv()) {
            sent.add(s);
        }
        h.advance(Nanos.ofMillis(1)); // the SACKs come back one RTT later
        int s1 = sent.get(1).seq();
        for (int k = 3; k <= 5; k++) {
            h.send(SEND.withSeq(R1).withAck(L1).withOptions(List.of(new TcpOption.Timestamps(PEER_TS, 1000),
                    new TcpOption.Sack(List.of(new TcpOption.SackBlock(s1, seq(sent.get(k).seq(), 1448)))))));
        }
        TcpSegment rexmit = h.recv();
        assertThat(rexmit.seq()).isEqualTo(L1);
        assertThat(h.recv()).as("the pipe is full").isNull();
        // 5 ms later everything else of the first flight is SACKed: new data goes out, after the retransmission.
        h.advance(Nanos.ofMillis(5));
        int firstFlightEnd = seq(sent.get(sent.size() - 1).seq(), 1448);
        h.send(SEND.withSeq(R1).withAck(L1).withOptions(List.of(new TcpOption.Timestamps(PEER_TS, 1000),
                new TcpOption.Sack(List.of(new TcpOption.SackBlock(s1, firstFlightEnd))))));
        TcpSegment later = h.recv();
        assertThat(later.seq()).isEqualTo(firstFlightEnd);
        while (h.recv() != null) {
            // more new data
        }
        assertThat(h.mib.get(MibCounter.TCP_LOST_RETRANSMIT)).isZero();
        // That later segment is SACKed while the head still is not: the retransmission was lost too.
        h.send(SEND.withSeq(R1).withAck(L1).withOptions(List.of(new TcpOption.Timestamps(PEER_TS, 1000),
                new TcpOption.Sack(List.of(new TcpOption.SackBlock(s1, seq(firstFlightEnd, 1448)))))));
        assertThat(h.mib.get(MibCounter.TCP_LOST_RETRANSMIT)).isEqualTo(1);
        assertThat(h.recv().seq()).isEqualTo(L1);
        assertThat(h.mib.get(MibCounter.TCP_TIMEOUTS)).isZero();
    }
}
