package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.tcp.TcpHarness.LOCAL_ISS;
import static org.mptcp4j.tcp.TcpHarness.MSS;
import static org.mptcp4j.tcp.TcpHarness.RECV;
import static org.mptcp4j.tcp.TcpHarness.REMOTE_ISS;
import static org.mptcp4j.tcp.TcpHarness.SEND;
import static org.mptcp4j.tcp.TcpHarness.bytes;
import static org.mptcp4j.tcp.TcpHarness.seq;

import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.cc.CoupledGroup;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * Corner cases of the RFCs from a review of the engine, one test per clause (those naming a
 * clause failed before their fix). Same style as {@link TcpConnectionTest}: template segments in, exact
 * segments out, in virtual time.
 */
class TcpRfcReviewTest {
    private static final int SYN_ACK = TcpFlags.SYN | TcpFlags.ACK;
    private static final int PSH_ACK = TcpFlags.PSH | TcpFlags.ACK;
    private static final int WIN = 65535;
    private static final int L1 = LOCAL_ISS + 1;
    private static final int R1 = seq(REMOTE_ISS, 1);

    @Test
    void synLost_firstDataRtoIsThreeSeconds_rfc6298_5_7() {
        TcpHarness h = TcpHarness.synSent(TcpHarness.plainConfig());
        h.fireNextTimer();
        assertThat(h.recv().has(TcpFlags.SYN)).isTrue();
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(new TcpOption.Mss(MSS))));
        h.expect(RECV.withSeq(L1).withAck(R1).withWindow(WIN));
        h.conn.write(h.now, bytes("hello"));
        h.expect(RECV.withFlags(PSH_ACK).withSeq(L1).withAck(R1).withWindow(WIN).withPayload(bytes("hello")));
        long sent = h.now;
        assertThat(h.fireNextTimer() - sent).isEqualTo(Nanos.ofSeconds(3));
        h.expect(RECV.withFlags(PSH_ACK).withSeq(L1).withAck(R1).withWindow(WIN).withPayload(bytes("hello")));
    }

    @Test
    void localIsnJustBelowTheWrap_transferWithFastRetransmitAndFinCrosses2pow32() {
        TcpHarness h = new TcpHarness();
        int iss = -3 * MSS;
        h.conn = TcpConnection.connect(TcpHarness.plainConfig(), h, h.mib, SubflowExtension.PLAIN, TcpHarness.LOCAL,
                TcpHarness.REMOTE, iss, 0, new CoupledGroup(), h.now);
        h.recv();
        int l1 = iss + 1;
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(l1).withOptions(List.of(new TcpOption.Mss(MSS))));
        h.expect(RECV.withSeq(l1).withAck(R1).withWindow(WIN));
        h.conn.write(h.now, ByteBuffer.allocate(6 * MSS));
        h.conn.shutdownOutput(h.now);
        for (int i = 0; i < 6; i++) {
            assertThat(h.recv().seq()).isEqualTo(seq(l1, i * MSS));
        }
        // The segment at l1 + 2 MSS ends exactly at 2^32 - 1; the one at 0 is lost.
        h.send(SEND.withSeq(R1).withAck(seq(l1, 3 * MSS)));
        for (int i = 0; i < 3; i++) {
            h.send(SEND.withSeq(R1).withAck(seq(l1, 3 * MSS)));
        }
        assertThat(h.recv().seq()).isEqualTo(seq(l1, 3 * MSS)).isEqualTo(1);
        h.send(SEND.withSeq(R1).withAck(seq(l1, 6 * MSS)));
        TcpSegment fin = h.recv();
        assertThat(fin.has(TcpFlags.FIN)).isTrue();
        assertThat(fin.seq()).isEqualTo(seq(l1, 6 * MSS));
        h.send(SEND.withSeq(R1).withAck(seq(l1, 6 * MSS + 1)));
        assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT_2);
        assertThat(h.conn.nextDeadline()).isEqualTo(Nanos.NEVER);
    }

    /** The peer closes second: TIME_WAIT with timestamps, TS.Recent = 5001, RCV.NXT after the peer's FIN. */
    private static TcpHarness timeWaitWithTimestamps() {
        TcpHarness h = TcpOptionsTest.established();
        h.conn.shutdownOutput(h.now);
        assertThat(h.recv().has(TcpFlags.FIN)).isTrue();
        h.send(SEND.withFlags(TcpFlags.FIN | TcpFlags.ACK).withSeq(R1).withAck(L1 + 1)
                .withOptions(List.of(new TcpOption.Timestamps(5001, 1000))));
        assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        return h;
    }

    private static TcpSegment syn(int seq, TcpOption... options) {
        return SEND.withFlags(TcpFlags.SYN).withSeq(seq).withAck(0).withOptions(List.of(options));
    }

    @Test
    void timeWaitReuse_timestampsDecideBeforeSequenceNumbers_rfc6191() {
        TcpHarness h = timeWaitWithTimestamps();
        int above = seq(R1, 100_000);
        int below = seq(R1, -100_000);
        // "the timestamp contained in the incoming SYN segment is greater than the last timestamp seen".
        assertThat(TimeWaitReuse.mayReuse(h.conn, syn(below, new TcpOption.Timestamps(5002, 0)), true)).isTrue();
        // An older timestamp is an old duplicate, whatever its sequence number: "silently drop".
        assertThat(TimeWaitReuse.mayReuse(h.conn, syn(above, new TcpOption.Timestamps(4000, 0)), true)).isFalse();
        // Equal timestamps fall back to the sequence number.
        assertThat(TimeWaitReuse.mayReuse(h.conn, syn(above, new TcpOption.Timestamps(5001, 0)), true)).isTrue();
        assertThat(TimeWaitReuse.mayReuse(h.conn, syn(below, new TcpOption.Timestamps(5001, 0)), true)).isFalse();
        // Timestamps not enabled for the new incarnation: the sequence number alone decides.
        assertThat(TimeWaitReuse.mayReuse(h.conn, syn(above), true)).isTrue();
        assertThat(TimeWaitReuse.mayReuse(h.conn, syn(above, new TcpOption.Timestamps(4000, 0)), false)).isTrue();
        assertThat(TimeWaitReuse.mayReuse(h.conn, syn(below), true)).isFalse();
    }

    @Test
    void zeroWindow_probesAnsweredKeepTheConnection_unansweredProbesTimeOut_rfc1122_4_2_2_17() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withSeq(R1).withAck(L1).withWindow(0));
        h.conn.write(h.now, bytes("data"));
        h.expectNothing();
        int limit = TcpHarness.plainConfig().maxRetransmits();
        // "As long as the receiving TCP continues to send acknowledgments in response to the probe
        // segments, the sending TCP MUST allow the connection to stay open."
        for (int i = 0; i < 2 * limit; i++) {
            h.fireNextTimer();
            h.expect(RECV.withSeq(L1 - 1).withAck(R1).withWindow(WIN));
            h.send(SEND.withSeq(R1).withAck(L1).withWindow(0));
        }
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        // A peer that stopped answering is given up like an unanswered retransmission.
        for (int i = 0; i < limit; i++) {
            h.fireNextTimer();
            h.expect(RECV.withSeq(L1 - 1).withAck(R1).withWindow(WIN));
        }
        h.fireNextTimer();
        h.expectNothing();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("error:TIMED_OUT", "closed");
        assertThat(h.mib.get(MibCounter.TCP_ABORT_ON_TIMEOUT)).isEqualTo(1);
        assertThat(h.mib.get(MibCounter.TCP_WIN_PROBE)).isEqualTo(3L * limit);
    }

    @Test
    void synAckResentForADuplicateSyn_givesNoRttSample_karn_rfc6298_3() {
        TcpSegment peerSyn = SEND.withFlags(TcpFlags.SYN).withSeq(REMOTE_ISS).withAck(0)
                .withOptions(List.of(new TcpOption.Mss(MSS)));
        TcpHarness h = TcpHarness.synReceived(TcpHarness.plainConfig(), peerSyn);
        TcpSegment synAck = h.recv();
        h.advance(Nanos.ofMillis(300));
        h.send(peerSyn);
        h.expect(synAck);
        h.advance(Nanos.ofMillis(10));
        h.send(SEND.withSeq(R1).withAck(L1));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        // Was the ACK for the first SYN-ACK (310 ms) or the second (10 ms)? Unknowable: no sample.
        assertThat(h.conn.srttNanos()).isZero();
        assertThat(h.conn.rtoNanos()).isEqualTo(Nanos.ofSeconds(1));
    }

    @Test
    void idleOver24Days_olderTimestampAcceptedAndBecomesTsRecent_rfc7323_5_5() {
        TcpHarness h = TcpOptionsTest.established(); // TS.Recent = 5000
        h.advance(Nanos.ofSeconds(25L * 24 * 3600));
        h.send(SEND.withSeq(R1).withAck(L1).withOptions(List.of(new TcpOption.Timestamps(4000, 1000)))
                .withPayload(bytes("x")));
        assertThat(h.readAll()).isEqualTo("x");
        h.advance(Nanos.ofMillis(40));
        assertThat(h.recv().option(TcpOption.Timestamps.class).orElseThrow().tsEcr()).isEqualTo(4000);
        // TS.Recent is fresh again, so PAWS protects the connection from here on.
        h.send(SEND.withSeq(seq(R1, 1)).withAck(L1).withOptions(List.of(new TcpOption.Timestamps(3999, 1000)))
                .withPayload(bytes("y")));
        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isEqualTo(1);
        assertThat(h.readAll()).isEmpty();
    }

    @Test
    void simultaneousOpen_windowOfThePeersSynAckIsNotScaled_rfc7323_2_2() {
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(TcpOptionsTest.fullConfig(), h, h.mib, SubflowExtension.PLAIN,
                TcpHarness.LOCAL, TcpHarness.REMOTE, LOCAL_ISS, 0, new CoupledGroup(), h.now);
        h.recv();
        List<TcpOption> options = List.of(new TcpOption.Mss(1460), new TcpOption.WindowScale(7));
        h.send(SEND.withFlags(TcpFlags.SYN).withSeq(REMOTE_ISS).withAck(0).withWindow(2000).withOptions(options));
        assertThat(h.recv().flags()).isEqualTo(SYN_ACK);
        // "The Window field in a SYN (i.e., a <SYN> or <SYN,ACK>) segment itself is never scaled."
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(L1).withWindow(2000).withOptions(options));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.conn.sndWnd()).isEqualTo(2000);
        // Later segments are scaled as usual.
        h.send(SEND.withSeq(R1).withAck(L1).withWindow(2000));
        assertThat(h.conn.sndWnd()).isEqualTo(2000L << 7);
    }

    @Test
    void noMssOptionOverIpv6_assumes1220_rfc9293_3_7_1() {
        TcpHarness h = new TcpHarness();
        // Our own MSS above the default, so that the default and nothing else sets the send MSS.
        h.conn = TcpConnection.connect(withMss(TcpHarness.plainConfig(), 1440), h, h.mib, SubflowExtension.PLAIN,
                new java.net.InetSocketAddress("fd00::1", 49152), new java.net.InetSocketAddress("fd00::2", 80),
                LOCAL_ISS, 0, new CoupledGroup(), h.now);
        h.recv();
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(L1));
        // "a default send MSS of 536 (576 - 40) for IPv4 or 1220 (1280 - 60) for IPv6".
        assertThat(h.conn.mss()).isEqualTo(1220);
        h.recv();
        h.conn.write(h.now, ByteBuffer.allocate(3000));
        assertThat(h.recv().payload().remaining()).isEqualTo(1220);
    }

    @Test
    void noMssOptionOverIpv4_assumes536_rfc9293_3_7_1() {
        TcpHarness h = TcpHarness.synSent(withMss(TcpHarness.plainConfig(), 1440));
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(L1));
        assertThat(h.conn.mss()).isEqualTo(536);
    }

    private static TcpConfig withMss(TcpConfig p, int mss) {
        return new TcpConfig(mss, p.sendBufferBytes(), p.receiveBufferBytes(), p.receiveBufferMaxBytes(), p.initialRtoNanos(), p.minRtoNanos(),
                p.maxRtoNanos(), p.delayedAckNanos(), p.timeWaitNanos(), p.sack(), p.timestamps(), p.windowScale(),
                p.nagle(), p.keepaliveIdleNanos(), p.keepaliveIntervalNanos(), p.keepaliveProbes(), p.synRetries(),
                p.synAckRetries(), p.maxRetransmits(), p.congestionControl());
    }

    @Test
    void jumboMss_initialWindowIsCappedAt14600Bytes_rfc6928_2() {
        TcpConfig p = TcpHarness.plainConfig();
        TcpConfig jumbo = new TcpConfig(8960, 1 << 18, 1 << 18, 1 << 18, p.initialRtoNanos(), p.minRtoNanos(), p.maxRtoNanos(),
                p.delayedAckNanos(), p.timeWaitNanos(), false, false, false, false, Nanos.NEVER,
                p.keepaliveIntervalNanos(), p.keepaliveProbes(), p.synRetries(), p.synAckRetries(),
                p.maxRetransmits(), p.congestionControl());
        TcpHarness h = TcpHarness.synSent(jumbo);
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(new TcpOption.Mss(8960))));
        h.recv();
        h.conn.write(h.now, ByteBuffer.allocate(20 * 8960));
        int sent = 0;
        while (h.recv() != null) {
            sent++;
        }
        // "IW = min (10*MSS, max (2*MSS, 14600))": two jumbo segments, not ten (89600 bytes).
        assertThat(sent).isEqualTo(2);
    }

    @Test
    void synReceived_peerJunkCannotPostponeTheSynAckTimeout_rfc6298_5_1() {
        TcpSegment peerSyn = SEND.withFlags(TcpFlags.SYN).withSeq(REMOTE_ISS).withAck(0)
                .withOptions(List.of(new TcpOption.Mss(MSS)));
        TcpHarness h = TcpHarness.synReceived(TcpHarness.plainConfig(), peerSyn);
        TcpSegment synAck = h.recv();
        long firstTimeout = h.conn.nextDeadline();
        // "if the timer is not running, start it": a resend for a duplicate SYN leaves it alone,
        // so a peer that keeps sending cannot hold the half-open connection forever.
        h.advance(Nanos.ofMillis(900));
        h.send(peerSyn);
        h.expect(synAck);
        assertThat(h.conn.nextDeadline()).isEqualTo(firstTimeout);
        int retries = TcpHarness.plainConfig().synAckRetries();
        for (int i = 0; i <= retries; i++) {
            h.fireNextTimer();
            h.send(peerSyn);
            while (h.recv() != null) {
                // the SYN-ACKs
            }
        }
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
    }

    /**
     * Hostile peers: random flags (SYN+FIN, RST+SYN, URG), sequence and acknowledgement numbers
     * around the windows, inverted or far SACK blocks, odd timestamps, data in any state. The
     * connection never throws and keeps its invariants (checked by the harness after every step).
     */
    @Test
    void hostilePeer_randomSegments_neverThrowAndKeepInvariants() {
        for (long seed = 1; seed <= 25; seed++) {
            java.util.Random rnd = new java.util.Random(seed);
            TcpHarness h = TcpOptionsTest.established();
            try {
                for (int step = 0; step < 300 && h.conn.state() != TcpState.CLOSED; step++) {
                    switch (rnd.nextInt(6)) {
                        case 0 -> h.conn.write(h.now, ByteBuffer.allocate(rnd.nextInt(5000)));
                        case 1 -> h.readAll();
                        case 2 -> {
                            if (h.conn.nextDeadline() != Nanos.NEVER && rnd.nextInt(4) == 0) {
                                h.fireNextTimer();
                            }
                        }
                        case 3 -> {
                            if (rnd.nextInt(20) == 0) {
                                h.conn.shutdownOutput(h.now);
                            }
                        }
                        default -> h.send(hostileSegment(h.conn, rnd));
                    }
                    while (h.recv() != null) {
                        // drain
                    }
                    h.advance(Nanos.ofMillis(rnd.nextInt(50)));
                }
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError("seed " + seed + ": " + e, e);
            }
        }
    }

    private static TcpSegment hostileSegment(TcpConnection c, java.util.Random rnd) {
        int flags = TcpFlags.ACK;
        for (int f : new int[] {TcpFlags.SYN, TcpFlags.FIN, TcpFlags.RST, TcpFlags.URG, TcpFlags.PSH}) {
            if (rnd.nextInt(12) == 0) {
                flags |= f;
            }
        }
        if (rnd.nextInt(20) == 0) {
            flags &= ~TcpFlags.ACK;
        }
        int seqNo = seq(c.rcvNxt(), rnd.nextInt(8) == 0 ? rnd.nextInt() : rnd.nextInt(4000) - 1000);
        int ackNo = rnd.nextInt(10) == 0 ? rnd.nextInt() : seq(c.sndUna, rnd.nextInt(6000) - 1000);
        List<TcpOption> options = new java.util.ArrayList<>();
        if (rnd.nextInt(4) != 0) {
            options.add(new TcpOption.Timestamps(5000 + rnd.nextInt(2000) - 200, rnd.nextInt()));
        }
        if (rnd.nextInt(3) == 0) {
            List<TcpOption.SackBlock> blocks = new java.util.ArrayList<>();
            for (int b = rnd.nextInt(4); b >= 0; b--) {
                int left = seq(c.sndUna, rnd.nextInt(8000) - 2000);
                blocks.add(new TcpOption.SackBlock(left, seq(left, rnd.nextInt(4000) - 1000)));
            }
            options.add(new TcpOption.Sack(blocks));
        }
        if (rnd.nextInt(10) == 0) {
            options.add(new TcpOption.WindowScale(rnd.nextInt(256)));
            options.add(new TcpOption.Mss(rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(65536)));
        }
        return SEND.withFlags(flags).withSeq(seqNo).withAck(ackNo).withWindow(rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(65536))
                .withOptions(options).withPayload(ByteBuffer.allocate(rnd.nextInt(3) == 0 ? rnd.nextInt(1500) : 0));
    }
}
