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
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/** The RFC 9293 state machine, segment by segment (one fixture per state, built by real transitions). */
class TcpConnectionTest {
    private static final int SYN_ACK = TcpFlags.SYN | TcpFlags.ACK;
    private static final int FIN_ACK = TcpFlags.FIN | TcpFlags.ACK;
    private static final int PSH_ACK = TcpFlags.PSH | TcpFlags.ACK;
    private static final int WIN = 65535;
    private static final int L1 = LOCAL_ISS + 1;
    private static final int R1 = seq(REMOTE_ISS, 1);

    // ================================================================ SYN-SENT

    @Test
    void synSent_synAck_sendsAckAndEstablishes() {
        TcpHarness h = TcpHarness.synSent(TcpHarness.plainConfig());
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(new TcpOption.Mss(MSS))));
        h.expect(RECV.withSeq(L1).withAck(R1).withWindow(WIN));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.events).containsExactly("established");
        assertThat(h.conn.mss()).isEqualTo(MSS);
    }

    @Test
    void synSent_synAckWithWrongAck_sendsRstAndStays() {
        TcpHarness h = TcpHarness.synSent(TcpHarness.plainConfig());
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(LOCAL_ISS + 5));
        h.expect(RECV.withFlags(TcpFlags.RST).withSeq(LOCAL_ISS + 5).withAck(0));
        assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void synSent_rstWithAcceptableAck_connectionRefused() {
        TcpHarness h = TcpHarness.synSent(TcpHarness.plainConfig());
        h.send(SEND.withFlags(TcpFlags.RST | TcpFlags.ACK).withSeq(0).withAck(L1));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("error:REFUSED", "closed");
        h.expectNothing();
    }

    @Test
    void synSent_rstWithoutAck_ignored() {
        TcpHarness h = TcpHarness.synSent(TcpHarness.plainConfig());
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(REMOTE_ISS));
        assertThat(h.conn.state()).isEqualTo(TcpState.SYN_SENT);
    }

    @Test
    void synSent_timeout_retransmitsSynWithBackoffThenGivesUp() {
        TcpConfig cfg = TcpHarness.plainConfig();
        TcpHarness h = TcpHarness.synSent(cfg);
        long first = h.fireNextTimer();
        assertThat(first - Nanos.ofSeconds(1)).isEqualTo(Nanos.ofSeconds(1));
        TcpSegment again = h.recv();
        assertThat(again.has(TcpFlags.SYN)).isTrue();
        assertThat(again.seq()).isEqualTo(LOCAL_ISS);
        long second = h.fireNextTimer();
        assertThat(second - first).isEqualTo(Nanos.ofSeconds(2));
        h.recv();
        for (int i = 3; i <= cfg.synRetries(); i++) {
            h.fireNextTimer();
            assertThat(h.recv().has(TcpFlags.SYN)).isTrue();
        }
        h.fireNextTimer();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("error:TIMED_OUT", "closed");
        assertThat(h.mib.get(MibCounter.TCP_SYN_RETRANS)).isEqualTo(cfg.synRetries());
    }

    @Test
    void synSent_syn_simultaneousOpen() {
        TcpHarness h = TcpHarness.synSent(TcpHarness.plainConfig());
        h.send(SEND.withFlags(TcpFlags.SYN).withSeq(REMOTE_ISS).withAck(0).withOptions(List.of(new TcpOption.Mss(MSS))));
        assertThat(h.conn.state()).isEqualTo(TcpState.SYN_RECEIVED);
        h.expect(RECV.withFlags(SYN_ACK).withSeq(LOCAL_ISS).withAck(R1).withWindow(WIN)
                .withOptions(List.of(new TcpOption.Mss(MSS))));
        // The peer's SYN-ACK repeats its SYN and acknowledges ours: the handshake is complete.
        h.send(SEND.withFlags(SYN_ACK).withSeq(REMOTE_ISS).withAck(L1));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expectNothing();
        assertThat(h.events).contains("established");
    }

    // ================================================================ SYN-RECEIVED (passive)

    private static TcpSegment peerSyn() {
        return SEND.withFlags(TcpFlags.SYN).withSeq(REMOTE_ISS).withAck(0).withOptions(List.of(new TcpOption.Mss(MSS)));
    }

    @Test
    void synReceived_ack_establishes() {
        TcpHarness h = TcpHarness.synReceived(TcpHarness.plainConfig(), peerSyn());
        h.expect(RECV.withFlags(SYN_ACK).withSeq(LOCAL_ISS).withAck(R1).withWindow(WIN)
                .withOptions(List.of(new TcpOption.Mss(MSS))));
        h.send(SEND.withSeq(R1).withAck(L1));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        assertThat(h.events).containsExactly("established");
    }

    @Test
    void synReceived_retransmittedSyn_resendsSynAck() {
        TcpHarness h = TcpHarness.synReceived(TcpHarness.plainConfig(), peerSyn());
        h.recv();
        h.send(peerSyn());
        assertThat(h.recv().flags()).isEqualTo(SYN_ACK);
    }

    @Test
    void synReceived_badAck_sendsRst() {
        TcpHarness h = TcpHarness.synReceived(TcpHarness.plainConfig(), peerSyn());
        h.recv();
        h.send(SEND.withSeq(R1).withAck(LOCAL_ISS + 77));
        h.expect(RECV.withFlags(TcpFlags.RST).withSeq(LOCAL_ISS + 77).withAck(0));
        assertThat(h.conn.state()).isEqualTo(TcpState.SYN_RECEIVED);
    }

    @Test
    void synReceived_rst_closesSilently() {
        TcpHarness h = TcpHarness.synReceived(TcpHarness.plainConfig(), peerSyn());
        h.recv();
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(R1));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("closed");
    }

    // ================================================================ ESTABLISHED: receiving

    @Test
    void established_oneSegment_delayedAck() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withFlags(PSH_ACK).withSeq(R1).withAck(L1).withPayload(bytes("hello")));
        assertThat(h.events).containsExactly("readable");
        h.expectNothing();
        h.advance(Nanos.ofMillis(40));
        h.expect(RECV.withSeq(L1).withAck(seq(R1, 5)).withWindow(65536 - 5));
        assertThat(h.readAll()).isEqualTo("hello");
    }

    @Test
    void established_twoFullSegments_ackAtOnce() {
        TcpHarness h = TcpHarness.established();
        ByteBuffer full = ByteBuffer.allocate(MSS);
        h.send(SEND.withSeq(R1).withAck(L1).withPayload(full.duplicate()));
        h.expectNothing();
        h.send(SEND.withSeq(seq(R1, MSS)).withAck(L1).withPayload(full.duplicate()));
        TcpSegment ack = h.recv();
        assertThat(ack.ack()).isEqualTo(seq(R1, 2 * MSS));
    }

    @Test
    void established_outOfOrder_dupAckThenCumulativeAck() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withSeq(seq(R1, 3)).withAck(L1).withPayload(bytes("def")));
        assertThat(h.recv().ack()).isEqualTo(R1);
        h.send(SEND.withSeq(R1).withAck(L1).withPayload(bytes("abc")));
        assertThat(h.recv().ack()).isEqualTo(seq(R1, 6));
        assertThat(h.readAll()).isEqualTo("abcdef");
        assertThat(h.mib.get(MibCounter.TCP_OFO_QUEUE)).isEqualTo(1);
    }

    @Test
    void established_retransmittedOldData_ackedAndIgnored() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withSeq(R1).withAck(L1).withPayload(bytes("abc")));
        h.send(SEND.withSeq(R1).withAck(L1).withPayload(bytes("abc")));
        assertThat(h.recv().ack()).isEqualTo(seq(R1, 3));
        assertThat(h.readAll()).isEqualTo("abc");
    }

    @Test
    void established_segmentBeyondWindow_ackedAndDropped() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withSeq(seq(R1, 1 << 20)).withAck(L1).withPayload(bytes("zzz")));
        assertThat(h.recv().ack()).isEqualTo(R1);
        assertThat(h.mib.get(MibCounter.TCP_OUT_OF_WINDOW)).isEqualTo(1);
        assertThat(h.conn.readable()).isZero();
    }

    // ================================================================ RFC 5961

    @Test
    void established_rstExactSeq_resets() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(R1));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("error:RESET_BY_PEER", "closed");
    }

    @Test
    void established_rstInWindowNotExact_challengeAck() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(seq(R1, 100)));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expect(RECV.withSeq(L1).withAck(R1).withWindow(WIN));
        assertThat(h.mib.get(MibCounter.TCP_CHALLENGE_ACK)).isEqualTo(1);
    }

    @Test
    void established_challengeAcks_throttledPerSecond_rfc5961() {
        TcpHarness h = TcpHarness.established();
        for (int i = 0; i < 150; i++) {
            h.send(SEND.withFlags(TcpFlags.RST).withSeq(seq(R1, 100 + i)));
            h.recv();
        }
        assertThat(h.mib.get(MibCounter.TCP_CHALLENGE_ACK)).isEqualTo(TcpConnection.CHALLENGE_ACKS_PER_SECOND);
        h.advance(Nanos.ofSeconds(1));
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(seq(R1, 100)));
        assertThat(h.recv()).isNotNull();
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }

    @Test
    void established_rstOutOfWindow_droppedSilently() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(seq(R1, -5000)));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expectNothing();
    }

    @Test
    void established_syn_challengeAckNotReset() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withFlags(TcpFlags.SYN).withSeq(seq(R1, 10)));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        h.expect(RECV.withSeq(L1).withAck(R1).withWindow(WIN));
        assertThat(h.mib.get(MibCounter.TCP_SYN_CHALLENGE)).isEqualTo(1);
    }

    @Test
    void established_ackForUnsentData_ackedAndDropped() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withSeq(R1).withAck(L1 + 1000).withPayload(bytes("x")));
        h.expect(RECV.withSeq(L1).withAck(R1).withWindow(WIN));
        assertThat(h.conn.readable()).isZero();
        assertThat(h.mib.get(MibCounter.TCP_ACK_TOO_NEW)).isEqualTo(1);
    }

    // ================================================================ ESTABLISHED: sending

    @Test
    void established_write_sendsMssSegmentsUpToInitialWindow() {
        TcpHarness h = TcpHarness.established();
        h.conn.write(h.now, ByteBuffer.allocate(20 * MSS));
        for (int i = 0; i < 10; i++) {
            TcpSegment s = h.recv();
            assertThat(s.seq()).isEqualTo(L1 + i * MSS);
            assertThat(s.payloadLength()).isEqualTo(MSS);
        }
        h.expectNothing();
        h.send(SEND.withSeq(R1).withAck(L1 + 2 * MSS));
        assertThat(h.recv().seq()).isEqualTo(L1 + 10 * MSS);
        assertThat(h.recv().seq()).isEqualTo(L1 + 11 * MSS);
        assertThat(h.recv().seq()).isEqualTo(L1 + 12 * MSS); // slow start: cwnd grew by 2 MSS (RFC 3465 L=2)
        assertThat(h.recv().seq()).isEqualTo(L1 + 13 * MSS);
        h.expectNothing();
    }

    @Test
    void established_noAck_rtoRetransmitsHeadWithBackoff() {
        TcpHarness h = TcpHarness.established();
        h.conn.write(h.now, bytes("hello"));
        h.expect(RECV.withFlags(PSH_ACK).withSeq(L1).withAck(R1).withWindow(WIN).withPayload(bytes("hello")));
        long sent = h.now;
        long t1 = h.fireNextTimer();
        h.expect(RECV.withFlags(PSH_ACK).withSeq(L1).withAck(R1).withWindow(WIN).withPayload(bytes("hello")));
        long t2 = h.fireNextTimer();
        assertThat(t2 - t1).isEqualTo(2 * (t1 - sent));
        assertThat(h.mib.get(MibCounter.TCP_TIMEOUTS)).isEqualTo(2);
        h.recv();
        h.send(SEND.withSeq(R1).withAck(L1 + 5));
        assertThat(h.conn.nextDeadline()).isEqualTo(Nanos.NEVER);
    }

    @Test
    void established_threeDupAcks_newRenoFastRetransmit() {
        TcpHarness h = TcpHarness.established();
        h.conn.write(h.now, ByteBuffer.allocate(6 * MSS));
        for (int i = 0; i < 6; i++) {
            h.recv();
        }
        for (int i = 0; i < 3; i++) {
            h.send(SEND.withSeq(R1).withAck(L1));
        }
        TcpSegment rexmit = h.recv();
        assertThat(rexmit.seq()).isEqualTo(L1);
        assertThat(rexmit.payloadLength()).isEqualTo(MSS);
        assertThat(h.mib.get(MibCounter.TCP_RENO_RECOVERY)).isEqualTo(1);
        assertThat(h.conn.ssthreshBytes()).isEqualTo(3L * MSS);
        // A partial ACK retransmits the next hole at once (RFC 6582).
        h.send(SEND.withSeq(R1).withAck(L1 + 2 * MSS));
        assertThat(h.recv().seq()).isEqualTo(L1 + 2 * MSS);
    }

    @Test
    void established_zeroWindow_persistProbesUntilWindowOpens() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withSeq(R1).withAck(L1).withWindow(0));
        h.conn.write(h.now, bytes("data"));
        h.expectNothing();
        h.fireNextTimer();
        h.expect(RECV.withSeq(L1 - 1).withAck(R1).withWindow(WIN));
        assertThat(h.mib.get(MibCounter.TCP_WIN_PROBE)).isEqualTo(1);
        h.send(SEND.withSeq(R1).withAck(L1).withWindow(100));
        h.expect(RECV.withFlags(PSH_ACK).withSeq(L1).withAck(R1).withWindow(WIN).withPayload(bytes("data")));
    }

    // ================================================================ closing

    @Test
    void activeClose_finWait1_finWait2_timeWait_closed() {
        TcpHarness h = TcpHarness.established();
        h.conn.shutdownOutput(h.now);
        assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT_1);
        h.expect(RECV.withFlags(FIN_ACK).withSeq(L1).withAck(R1).withWindow(WIN));
        h.send(SEND.withSeq(R1).withAck(L1 + 1));
        assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.send(SEND.withFlags(FIN_ACK).withSeq(R1).withAck(L1 + 1));
        assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
        h.expect(RECV.withSeq(L1 + 1).withAck(seq(R1, 1)).withWindow(WIN));
        assertThat(h.events).containsExactly("peerFin", "readable");
        // A retransmitted FIN in TIME_WAIT is acknowledged again.
        h.send(SEND.withFlags(FIN_ACK).withSeq(R1).withAck(L1 + 1));
        h.expect(RECV.withSeq(L1 + 1).withAck(seq(R1, 1)).withWindow(WIN));
        h.advance(h.conn.config.timeWaitNanos() + 1);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.mib.get(MibCounter.TCP_TW)).isEqualTo(1);
    }

    @Test
    void passiveClose_closeWait_lastAck_closed() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withFlags(FIN_ACK).withSeq(R1).withAck(L1));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSE_WAIT);
        h.expect(RECV.withSeq(L1).withAck(seq(R1, 1)).withWindow(WIN));
        assertThat(h.conn.read(h.now, ByteBuffer.allocate(10))).isEqualTo(-1);
        h.conn.close(h.now);
        assertThat(h.conn.state()).isEqualTo(TcpState.LAST_ACK);
        h.expect(RECV.withFlags(FIN_ACK).withSeq(L1).withAck(seq(R1, 1)).withWindow(WIN));
        h.send(SEND.withSeq(seq(R1, 1)).withAck(L1 + 1));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
    }

    @Test
    void simultaneousClose_closing_timeWait() {
        TcpHarness h = TcpHarness.established();
        h.conn.shutdownOutput(h.now);
        h.recv();
        h.send(SEND.withFlags(FIN_ACK).withSeq(R1).withAck(L1));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSING);
        h.expect(RECV.withSeq(L1 + 1).withAck(seq(R1, 1)).withWindow(WIN));
        h.send(SEND.withSeq(seq(R1, 1)).withAck(L1 + 1));
        assertThat(h.conn.state()).isEqualTo(TcpState.TIME_WAIT);
    }

    @Test
    void established_abort_sendsRst() {
        TcpHarness h = TcpHarness.established();
        h.conn.abort(h.now);
        h.expect(RECV.withFlags(TcpFlags.RST).withSeq(L1).withAck(0));
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.events).containsExactly("error:ABORTED_LOCALLY", "closed");
    }

    @Test
    void closeWithUnreadData_resets() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withSeq(R1).withAck(L1).withPayload(bytes("unread")));
        h.conn.close(h.now);
        assertThat(h.recv().has(TcpFlags.RST)).isTrue();
        assertThat(h.mib.get(MibCounter.TCP_ABORT_ON_CLOSE)).isEqualTo(1);
    }

    @Test
    void badFlags_synFin_dropped() {
        TcpHarness h = TcpHarness.established();
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.FIN).withSeq(R1));
        h.expectNothing();
        assertThat(h.mib.get(MibCounter.TCP_IN_BAD_FLAGS)).isEqualTo(1);
    }
    // ================================================================ windows, orphans, application calls

    @Test
    void fullReceiveBuffer_zeroWindow_thenReadSendsWindowUpdate() {
        TcpHarness h = TcpHarness.established();
        int cap = h.conn.config.receiveBufferBytes();
        for (int off = 0; off < cap; off += MSS) {
            h.send(SEND.withSeq(seq(R1, off)).withAck(L1).withPayload(ByteBuffer.allocate(Math.min(MSS, cap - off))));
            h.recv();
        }
        h.advance(Nanos.ofMillis(40));
        TcpSegment last = h.recv();
        assertThat(last).as("the ACK of the last segment").isNotNull();
        assertThat(last.window()).isZero();
        assertThat(h.conn.rcvWnd()).isZero();
        h.send(SEND.withSeq(seq(R1, cap)).withAck(L1).withPayload(bytes("x")));
        assertThat(h.recv().window()).isZero(); // beyond the window: dropped and re-ACKed
        h.conn.read(h.now, ByteBuffer.allocate(cap));
        TcpSegment update = h.recv();
        assertThat(update.ack()).isEqualTo(seq(R1, cap));
        assertThat(update.window()).isEqualTo(65535);
    }

    @Test
    void orphanInFinWait2_timesOutSilently() {
        TcpHarness h = TcpHarness.established();
        h.conn.close(h.now);
        h.recv();
        h.send(SEND.withSeq(R1).withAck(L1 + 1));
        assertThat(h.conn.state()).isEqualTo(TcpState.FIN_WAIT_2);
        h.advance(h.conn.config.timeWaitNanos() + 1);
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        h.expectNothing();
    }

    @Test
    void dataAfterClose_resets_rfc2525() {
        TcpHarness h = TcpHarness.established();
        h.conn.close(h.now);
        h.recv();
        h.send(SEND.withSeq(R1).withAck(L1).withPayload(bytes("late")));
        assertThat(h.recv().has(TcpFlags.RST)).isTrue();
        assertThat(h.conn.state()).isEqualTo(TcpState.CLOSED);
        assertThat(h.mib.get(MibCounter.TCP_ABORT_ON_DATA)).isEqualTo(1);
    }

    @Test
    void applicationCalls_afterShutdownAndReset() {
        TcpHarness h = TcpHarness.established();
        h.conn.shutdownOutput(h.now);
        assertThat(h.conn.write(h.now, bytes("no"))).isEqualTo(-1);
        h.send(SEND.withFlags(TcpFlags.RST).withSeq(R1));
        assertThat(h.conn.read(h.now, ByteBuffer.allocate(4))).isEqualTo(-1);
    }

    @Test
    void sendBufferFull_writeReturnsZero_thenWritableWhenAcked() {
        TcpHarness h = TcpHarness.established();
        int cap = h.conn.config.sendBufferBytes();
        assertThat(h.conn.write(h.now, ByteBuffer.allocate(cap + 10))).isEqualTo(cap);
        assertThat(h.conn.write(h.now, ByteBuffer.allocate(10))).isZero();
        for (int i = 0; i < 10; i++) {
            h.recv();
        }
        h.send(SEND.withSeq(R1).withAck(L1 + 10 * MSS));
        assertThat(h.events).doesNotContain("writable"); // announced once a quarter of the buffer is free
        for (TcpSegment s = h.recv(); s != null; s = h.recv()) {
            // slow start sends the next window
        }
        h.send(SEND.withSeq(R1).withAck(L1 + 17 * MSS));
        assertThat(h.events).containsExactly("writable");
        assertThat(h.conn.sendSpace()).isEqualTo(17 * MSS);
    }
}
