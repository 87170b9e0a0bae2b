package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.cc.CoupledGroup;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * Packet-level tests of one {@link TcpConnection} (smoltcp's socket tests): the test plays the
 * peer, sends segments built from the {@link #SEND} template and expects segments matching the
 * {@link #RECV} template, in virtual time. Invariants are checked after every step.
 */
final class TcpHarness implements TcpEvents {
    static final InetSocketAddress LOCAL = new InetSocketAddress("10.0.0.1", 49152);
    static final InetSocketAddress REMOTE = new InetSocketAddress("10.0.0.2", 80);
    static final int LOCAL_ISS = 10_000;
    /** The peer's ISS sits just below the wrap so tests cross 2^32. */
    static final int REMOTE_ISS = -100;
    static final int MSS = 1000;

    /** What the peer sends: from REMOTE to LOCAL. */
    static final TcpSegment SEND = new TcpSegment(REMOTE.getPort(), LOCAL.getPort(), 0, 0, TcpFlags.ACK, 65535, 0,
            List.of(), TcpSegment.EMPTY);
    /** What the connection sends: from LOCAL to REMOTE. */
    static final TcpSegment RECV = new TcpSegment(LOCAL.getPort(), REMOTE.getPort(), 0, 0, TcpFlags.ACK, 0, 0,
            List.of(), TcpSegment.EMPTY);

    final Mib mib = new Mib();
    final List<String> events = new ArrayList<>();
    TcpConnection conn;
    long now = Nanos.ofSeconds(1);

    /** Plain options (no SACK, timestamps or scaling) so that templates stay short. */
    static TcpConfig plainConfig() {
        TcpConfig d = TcpConfig.defaults();
        return new TcpConfig(MSS, 64 * 1024, 64 * 1024, 64 * 1024, d.initialRtoNanos(), d.minRtoNanos(), d.maxRtoNanos(),
                d.delayedAckNanos(), d.timeWaitNanos(), false, false, false, false, Nanos.NEVER,
                d.keepaliveIntervalNanos(), d.keepaliveProbes(), d.synRetries(), d.synAckRetries(),
                d.maxRetransmits(), org.mptcp4j.cc.ControllerFactory.reno());
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    static int seq(int base, int plus) {
        return Seq32.add(base, plus);
    }

    // ------------------------------------------------------------ fixtures built by real transitions

    static TcpHarness synSent(TcpConfig config) {
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.connect(config, h, h.mib, SubflowExtension.PLAIN, LOCAL, REMOTE, LOCAL_ISS, 0,
                new CoupledGroup(), h.now);
        TcpSegment syn = h.recv();
        assertThat(syn.has(TcpFlags.SYN)).isTrue();
        return h;
    }

    static TcpHarness established(TcpConfig config) {
        TcpHarness h = synSent(config);
        h.send(SEND.withFlags(TcpFlags.SYN | TcpFlags.ACK).withSeq(REMOTE_ISS).withAck(LOCAL_ISS + 1)
                .withOptions(List.of(new TcpOption.Mss(MSS))));
        h.expect(RECV.withSeq(LOCAL_ISS + 1).withAck(seq(REMOTE_ISS, 1)).withWindow(config.receiveBufferBytes() > 65535 ? 65535 : config.receiveBufferBytes()));
        assertThat(h.conn.state()).isEqualTo(TcpState.ESTABLISHED);
        h.events.clear();
        return h;
    }

    static TcpHarness established() {
        return established(plainConfig());
    }

    static TcpHarness synReceived(TcpConfig config, TcpSegment syn) {
        TcpHarness h = new TcpHarness();
        h.conn = TcpConnection.accept(config, h, h.mib, SubflowExtension.PLAIN, LOCAL, REMOTE, LOCAL_ISS, 0,
                new CoupledGroup(), syn, h.now);
        return h;
    }

    // ------------------------------------------------------------ steps

    void send(TcpSegment seg) {
        conn.process(now, seg);
        conn.checkInvariants();
    }

    /** The next segment the connection sends (null if none), with its payload copied. */
    TcpSegment recv() {
        boolean mayHaveOutput = conn.mayHaveOutput();
        long deadline = conn.nextDeadline();
        TcpSegment s = conn.poll(now);
        conn.checkInvariants();
        // Every scenario checks the promise drivers rely on to skip a poll: none, then nothing sent or armed.
        assertThat(mayHaveOutput || s == null && conn.nextDeadline() == deadline)
                .as("mayHaveOutput() was false, yet the poll sent %s or moved the next deadline", s).isTrue();
        if (s == null) {
            return null;
        }
        ByteBuffer copy = ByteBuffer.allocate(s.payloadLength());
        copy.put(s.payload().duplicate()).flip();
        return s.withPayload(copy);
    }

    /** Exactly one segment, equal in every header field, option and payload byte. */
    void expect(TcpSegment expected) {
        TcpSegment actual = recv();
        assertThat(actual).as("a segment").isNotNull();
        assertThat(actual.toString()).isEqualTo(expected.toString());
        assertThat(actual.payload()).isEqualTo(expected.payload());
    }

    void expectNothing() {
        TcpSegment s = recv();
        assertThat(s).as("no segment, got %s", s).isNull();
    }

    /** Moves time forward to {@code atNanos}, firing timers due on the way. */
    void advanceTo(long atNanos) {
        while (conn.nextDeadline() <= atNanos) {
            now = Math.max(now, conn.nextDeadline());
            conn.handleTimeout(now);
            conn.checkInvariants();
        }
        now = atNanos;
    }

    void advance(long nanos) {
        advanceTo(now + nanos);
    }

    /** Fires the next timer and returns its time. */
    long fireNextTimer() {
        long t = conn.nextDeadline();
        assertThat(t).isNotEqualTo(Nanos.NEVER);
        now = t;
        conn.handleTimeout(now);
        conn.checkInvariants();
        return t;
    }

    String readAll() {
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        conn.read(now, b);
        b.flip();
        return java.nio.charset.StandardCharsets.US_ASCII.decode(b).toString();
    }

    // ------------------------------------------------------------ events

    public void onEstablished(TcpConnection c) { events.add("established"); }
    public void onReadable(TcpConnection c) { events.add("readable"); }
    public void onWritable(TcpConnection c) { events.add("writable"); }
    public void onPeerFin(TcpConnection c) { events.add("peerFin"); }
    public void onError(TcpConnection c, TcpError error) { events.add("error:" + error); }
    public void onClosed(TcpConnection c) { events.add("closed"); }
}
