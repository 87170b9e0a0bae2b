package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mptcp4j.tcp.TcpHarness.LOCAL_ISS;
import static org.mptcp4j.tcp.TcpHarness.REMOTE_ISS;
import static org.mptcp4j.tcp.TcpHarness.SEND;
import static org.mptcp4j.tcp.TcpHarness.bytes;
import static org.mptcp4j.tcp.TcpHarness.seq;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * PAWS (RFC 7323 section 5) with data flowing both ways, and the pure ACKs a Linux peer sends out
 * of order with its data: such an ACK fails PAWS, yet what it carries for MPTCP (MP_PRIO, ADD_ADDR,
 * REMOVE_ADDR, a DATA_ACK) must reach the extension, while a genuinely old segment is still
 * rejected and counted.
 */
class TcpPawsTest {
    private static final int L1 = LOCAL_ISS + 1;
    private static final int R1 = seq(REMOTE_ISS, 1);
    private static final int PEER_TS = 5000;
    private static final MptcpOption.MpPrio BACKUP = new MptcpOption.MpPrio(true, java.util.OptionalInt.empty());

    /** The options of every segment handed to the extension. */
    private final List<TcpSegment> seen = new ArrayList<>();
    /** The DSS of each of those segments (held apart from the segment's list), or null. */
    private final List<MptcpOption.Dss> seenDss = new ArrayList<>();

    private final SubflowExtension recorder = new SubflowExtension() {
        @Override
        public boolean onSegmentReceived(TcpConnection c, TcpSegment segment) {
            seen.add(segment);
            seenDss.add(c.segmentOptions().dssOption());
            return true;
        }
    };

    /**
     * Established with timestamps, then both ends send 3000 bytes: the peer acknowledges our first
     * 2000 on its data, and its data up to R1 + 3000 is in (TS.Recent = PEER_TS + 20).
     */
    private TcpHarness bothDirectionsCarryingData() {
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(TcpOptionsTest.fullConfig(), h, h.mib, recorder, TcpHarness.LOCAL,
                TcpHarness.REMOTE, LOCAL_ISS, 0, new org.mptcp4j.cc.CoupledGroup(), h.now);
        h.recv();
        h.advance(Nanos.ofMillis(10));
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(L1).withOptions(List.of(
                new TcpOption.Mss(1460), new TcpOption.SackPermitted(), new TcpOption.Timestamps(PEER_TS, 1000),
                new TcpOption.WindowScale(7))));
        h.recv();
        h.conn.write(h.now, bytes("a".repeat(3000)));
        while (h.recv() != null) {
            // our data leaves
        }
        h.send(data(0, 1000, seq(L1, 1000), PEER_TS + 10));
        acknowledgeAll(h);
        h.send(data(1000, 1000, seq(L1, 2000), PEER_TS + 20));
        acknowledgeAll(h);
        h.send(data(2000, 1000, seq(L1, 2000), PEER_TS + 20));
        acknowledgeAll(h);
        assertThat(h.conn.rcvNxt()).isEqualTo(seq(R1, 3000));
        assertThat(h.conn.sndUna()).isEqualTo(seq(L1, 2000));
        seen.clear();
        seenDss.clear();
        return h;
    }

    /** Our ACKs leave (a delayed ACK too), so that TS.Recent follows the peer (RFC 7323 5.3 R3). */
    private static void acknowledgeAll(TcpHarness h) {
        h.advance(Nanos.ofMillis(50));
        while (h.recv() != null) {
            // an ACK of ours
        }
    }

    private static TcpSegment data(int offset, int len, int ack, int tsVal) {
        return SEND.withSeq(seq(R1, offset)).withAck(ack).withWindow(1000)
                .withOptions(List.of(new TcpOption.Timestamps(tsVal, 1000))).withPayload(bytes("b".repeat(len)));
    }

    private static TcpSegment pureAck(int offset, int ack, int tsVal, TcpOption... more) {
        List<TcpOption> options = new ArrayList<>(List.of(new TcpOption.Timestamps(tsVal, 1000)));
        options.addAll(List.of(more));
        return SEND.withSeq(seq(R1, offset)).withAck(ack).withWindow(1000).withOptions(options);
    }

    /**
     * The peer sent an MP_PRIO on a pure ACK, then data, and the data overtook it: the ACK's
     * sequence number is behind RCV.NXT, its ACK behind SND.UNA and its TSval older than TS.Recent.
     */
    @Test
    void bothWaysData_pureAckOvertakenByLaterData_optionsReachTheExtension() {
        TcpHarness h = bothDirectionsCarryingData();
        long window = h.conn.sndWnd();

        h.send(pureAck(1000, seq(L1, 1000), PEER_TS + 15, BACKUP));

        assertThat(seen).as("the extension saw the MP_PRIO").hasSize(1);
        assertThat(seen.getFirst().option(MptcpOption.MpPrio.class)).contains(BACKUP);
        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isZero();
        assertThat(h.mib.get(MibCounter.PAWS_OLD_ACK)).isEqualTo(1);
        assertThat(h.conn.sndUna()).as("its stale ACK moves nothing").isEqualTo(seq(L1, 2000));
        assertThat(h.conn.sndWnd()).isEqualTo(window);
        assertThat(h.recv()).as("no ACK answers it").isNull();
    }

    /**
     * The same overtaken ACK sent in the same millisecond as the data that overtook it: its TSval
     * equals TS.Recent, so PAWS passes it, and the acceptability test fails it (behind RCV.NXT).
     * What it carries for MPTCP still counts (the CI flake of the join matrix's "remove id 0
     * address": the kernel's one REMOVE_ADDR, counted Mptcp4jTcpOutOfWindow 1 and lost).
     */
    @Test
    void bothWaysData_pureAckOvertakenInTheSameTick_outsideTheWindow_optionsReachTheExtension() {
        TcpHarness h = bothDirectionsCarryingData();
        MptcpOption.RemoveAddr removeAddr = new MptcpOption.RemoveAddr(List.of(0));

        h.send(pureAck(1000, seq(L1, 1000), PEER_TS + 20, removeAddr));

        assertThat(seen).as("the extension saw the REMOVE_ADDR").singleElement()
                .satisfies(seg -> assertThat(seg.option(MptcpOption.RemoveAddr.class)).contains(removeAddr));
        assertThat(h.mib.get(MibCounter.TCP_OUT_OF_WINDOW)).isEqualTo(1);
        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isZero();
        assertThat(h.conn.sndUna()).as("its stale ACK moves nothing").isEqualTo(seq(L1, 2000));
        assertThat(h.recv().ack()).as("answered as RFC 9293 answers a segment outside the window")
                .isEqualTo(seq(R1, 3000));
    }

    @Test
    void bothWaysData_pureAckBehindRcvNxtAcknowledgingNewData_notTaken() {
        TcpHarness h = bothDirectionsCarryingData();

        h.send(pureAck(1000, seq(L1, 3000), PEER_TS + 20, BACKUP));

        assertThat(seen).as("not sent before the data that overtook it: nothing reaches the extension").isEmpty();
        assertThat(h.mib.get(MibCounter.TCP_OUT_OF_WINDOW)).isEqualTo(1);
        assertThat(h.conn.sndUna()).isEqualTo(seq(L1, 2000));
    }

    /** Linux's own case (tcp_disordered_ack): in sequence, a duplicate ACK, a few ticks older. */
    @Test
    void bothWaysData_pureDuplicateAckInSequenceSlightlyOlder_optionsReachTheExtension() {
        TcpHarness h = bothDirectionsCarryingData();
        MptcpOption.Dss dataAck = new MptcpOption.Dss(java.util.OptionalLong.of(77), false, java.util.Optional.empty(),
                false);

        h.send(pureAck(3000, seq(L1, 2000), PEER_TS + 19, dataAck));

        assertThat(seen).hasSize(1);
        assertThat(seenDss).containsExactly(dataAck);
        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isZero();
    }

    @Test
    void bothWaysData_oldDuplicateDataSegment_rejectedByPaws() {
        TcpHarness h = bothDirectionsCarryingData();

        h.send(data(2000, 1000, seq(L1, 2000), PEER_TS + 10));

        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isEqualTo(1);
        assertThat(seen).as("nothing of it reaches the extension").isEmpty();
        assertThat(h.recv().ack()).as("answered with an ACK").isEqualTo(seq(R1, 3000));
    }

    @Test
    void bothWaysData_pureAckOlderThanAnRto_rejectedByPaws() {
        TcpHarness h = bothDirectionsCarryingData();
        int rtoTicks = (int) (h.conn.rtoNanos() / 1_000_000L);

        h.send(pureAck(3000, seq(L1, 2000), PEER_TS + 20 - rtoTicks - 1, BACKUP));

        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isEqualTo(1);
        assertThat(seen).isEmpty();
    }

    @Test
    void bothWaysData_olderPureAckAcknowledgingNewData_rejectedByPaws() {
        TcpHarness h = bothDirectionsCarryingData();

        h.send(pureAck(3000, seq(L1, 3000), PEER_TS + 19, BACKUP));

        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isEqualTo(1);
        assertThat(h.conn.sndUna()).isEqualTo(seq(L1, 2000));
        assertThat(seen).isEmpty();
    }

    @Test
    void bothWaysData_olderAckWithFin_rejectedByPaws() {
        TcpHarness h = bothDirectionsCarryingData();

        h.send(pureAck(3000, seq(L1, 2000), PEER_TS + 19).withFlags(TcpFlags.ACK | TcpFlags.FIN));

        assertThat(h.mib.get(MibCounter.PAWS_ESTAB_REJECTED)).isEqualTo(1);
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
    }
}
