package org.mptcp4j.mptcp;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;
import org.mptcp4j.base.Dsn;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.tcp.SubflowExtension;
import org.mptcp4j.tcp.TcpConnection;
import org.mptcp4j.tcp.TcpState;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * One subflow of an MPTCP connection: the glue between a {@link TcpConnection} and its
 * {@link MptcpConnection} (Linux {@code struct mptcp_subflow_context}, the paper's subsocket).
 * TCP calls it for the options of every segment it sends and receives, hands it in-order payload
 * (which it maps to data sequence numbers and passes up at once, so the subflow's own receive
 * queue stays empty), and asks it for data when its windows open (which it pulls from the
 * connection's send buffer through the scheduler).
 */
public final class Subflow implements SubflowExtension {
    /** Mappings a subflow remembers at most in each direction; a peer sending more is refused (a flood must not grow memory). */
    static final int MAX_MAPPINGS = 65536;

    final MptcpConnection conn;
    TcpConnection tcp;
    /** The MP_CAPABLE subflow (the paper's master subsocket); else an MP_JOIN subflow. */
    final boolean initial;
    /** Address IDs (RFC 8684 section 3.4.1): 0 for the initial subflow's addresses. */
    final int localId;
    int remoteId;
    /** We send MP_PRIO/MP_JOIN with B set: the peer should use this subflow only as a backup. */
    boolean backup;
    /** The peer asked us (MP_JOIN or MP_PRIO with B) to use this subflow only as a backup. */
    boolean peerBackup;

    // ---- MP_JOIN (RFC 8684 section 3.2)
    final int localNonce;
    int remoteNonce;
    /** Initiator: the third ACK (MP_JOIN with the full HMAC) is resent until the peer's fourth ACK. */
    boolean joinAckPending;
    long joinAckDeadline = Long.MAX_VALUE;

    /**
     * Usable at the MPTCP level: the handshake's keys are exchanged and checked (the initial
     * subflow once MP_CAPABLE completed, a join once its HMACs were verified).
     */
    boolean mptcpEstablished;
    /**
     * Linux {@code fully_established}: the peer is known to have our keys (it sent a DSS, or we
     * got its MP_CAPABLE third ACK). Until then the client puts MP_CAPABLE on its first data.
     */
    boolean fullyEstablished;
    /** The subflow failed or was reset; its data is reinjected and it takes no new data. */
    boolean dead;
    /**
     * Its retransmission timer fired again and again (Linux {@code subflow->stale}): the scheduler
     * leaves it out while another subflow is fresh, until a segment arrives on it.
     */
    boolean stale;

    /** Mappings of data this subflow sent, in subflow sequence order; kept until a DATA_ACK covers them. */
    final ArrayDeque<Mapping> sent = new ArrayDeque<>();
    /** Mappings received whose data has not all been handed up yet, in subflow sequence order. */
    final ArrayDeque<Mapping> received = new ArrayDeque<>();
    /** A DATA_FIN is to be signalled on this subflow's next pure ACK. */
    boolean dataFinPending;
    /** Reset reason (MP_TCPRST, RFC 8684 section 3.6) to put on the RST this subflow sends, or -1. */
    int resetReason = -1;
    /** Put MP_FASTCLOSE (with the peer's key) on the RST this subflow sends (RFC 8684 section 3.5). */
    boolean fastclose;
    /** The connection-level bytes this subflow carried (ss -M: per-subflow data). */
    long bytesMappedOut;
    long bytesMappedIn;

    Subflow(MptcpConnection conn, boolean initial, int localId, int localNonce) {
        this.conn = conn;
        this.initial = initial;
        this.localId = localId;
        this.localNonce = localNonce;
    }

    public TcpConnection tcp() {
        return tcp;
    }

    public MptcpConnection connection() {
        return conn;
    }

    public boolean isInitial() {
        return initial;
    }

    /** Whether the scheduler should treat this subflow as a backup (either end asked for it). */
    public boolean isBackup() {
        return backup || peerBackup;
    }

    public long srttNanos() {
        return tcp.srttNanos();
    }

    /**
     * Bytes the congestion and receive windows let out now, less what this subflow already holds
     * unsent: a subflow pulls more than its windows let out at once ({@code PULL_SEGMENTS}), and
     * counting that queue as room made the lowest-RTT subflows look free whenever a slower one
     * asked, so the slower ones were never chosen however full the others' windows were (as
     * Linux's scheduler weighs each subflow's queued bytes). Less than a segment while data is in
     * flight is no room: TCP asks for whole segments then, so a subflow chosen for that sliver
     * (one whose path died, its window collapsed to a segment still out) would never pull, and the
     * others, deferring to it, would wait with it.
     */
    public long congestionRoom() {
        long unsent = Math.max(0, Seq32.diff(tcp.appendSeq(), tcp.sndNxt()));
        long room = Math.max(0, tcp.congestionRoom() - unsent);
        return room < tcp.dataMss() && tcp.bytesInFlight() > 0 ? 0 : room;
    }

    public int localId() {
        return localId;
    }

    public int remoteId() {
        return remoteId;
    }

    /** Whether the scheduler may hand this subflow data. */
    boolean usable() {
        return mptcpEstablished && !dead && !joinAckPending && tcp.state() == TcpState.ESTABLISHED
                || mptcpEstablished && !dead && !joinAckPending && tcp.state() == TcpState.CLOSE_WAIT;
    }

    // ====================================================================== SubflowExtension

    @Override
    public void writeOptions(TcpConnection c, TcpSegment draft, int remainingOptionBytes, List<TcpOption> out) {
        MptcpOptionsOut.write(this, draft, remainingOptionBytes, out);
    }

    @Override
    public int reservedOptionBytes(TcpConnection c, boolean dataSegment) {
        return MptcpOptionsOut.reserved(this, dataSegment);
    }

    @Override
    public void writeResetOptions(TcpConnection c, int remainingOptionBytes, List<TcpOption> out) {
        if (fastclose && conn.remoteKeyKnown()) {
            out.add(new MptcpOption.MpFastclose(conn.remoteKey));
            conn.mib.increment(MibCounter.MPTCP_FASTCLOSE_TX);
        } else if (resetReason >= 0) {
            out.add(new MptcpOption.MpTcpRst(0, resetReason));
            conn.mib.increment(MibCounter.MPTCP_RST_TX);
        }
    }

    @Override
    public boolean onSegmentReceived(TcpConnection c, TcpSegment seg) {
        if (tcp == null) {
            tcp = c; // a passive open hands the SYN in before the stack attaches the connection
        }
        return conn.onSegment(this, seg, MptcpOptionsIn.of(seg));
    }

    @Override
    public boolean takesReceivedData() {
        return true;
    }

    @Override
    public void onDataReceived(TcpConnection c, long nowNanos, int seq, ByteBuffer data) {
        int pos = data.position();
        int end = data.limit();
        int at = seq;
        while (pos < end) {
            Mapping m = mappingFor(at);
            if (m == null) {
                conn.onUnmappedData(this, nowNanos, at, data.duplicate().position(pos).limit(end));
                return;
            }
            int n = Math.min(end - pos, Seq32.diff(m.endSeq(), at));
            conn.onData(this, nowNanos, m.dsnOf(at), data.duplicate().position(pos).limit(pos + n));
            bytesMappedIn += n;
            pos += n;
            at = Seq32.add(at, n);
            if (at == m.endSeq()) {
                received.remove(m);
            }
        }
    }

    /** The received mapping that covers {@code seq}; older, fully passed ones are dropped on the way. */
    private Mapping mappingFor(int seq) {
        for (Iterator<Mapping> it = received.iterator(); it.hasNext(); ) {
            Mapping m = it.next();
            if (m.covers(seq)) {
                return m;
            }
            if (Seq32.le(m.endSeq(), seq)) {
                it.remove();
            }
        }
        return null;
    }

    /**
     * A mapping arrived (RFC 8684 section 3.3.1). One already known for the same bytes is a
     * retransmission's copy; a different one for bytes already mapped is a protocol violation
     * (Linux counts it as DSSNotMatching and keeps the first).
     */
    void addReceivedMapping(Mapping m) {
        if (m.length() == 0 || Seq32.le(m.endSeq(), tcp.rcvNxt())) {
            return; // data already handed up (or nothing to map)
        }
        Mapping last = received.peekLast();
        if (last != null && last.subflowSeq() == m.subflowSeq() && last.length() == m.length()) {
            if (last.dsn() != m.dsn()) {
                conn.mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
            }
            return; // the common case: the next segment of the mapping just received
        }
        if (last == null || Seq32.ge(m.subflowSeq(), last.endSeq())) {
            if (received.size() >= MAX_MAPPINGS) {
                conn.mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
                return;
            }
            received.addLast(m);
            return;
        }
        for (Mapping old : received) {
            if (old.subflowSeq() == m.subflowSeq() && old.length() == m.length()) {
                if (old.dsn() != m.dsn()) {
                    conn.mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
                }
                return;
            }
            if (Seq32.lt(m.subflowSeq(), old.endSeq()) && Seq32.lt(old.subflowSeq(), m.endSeq())) {
                conn.mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
                return;
            }
        }
        if (received.size() >= MAX_MAPPINGS) {
            conn.mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
            return;
        }
        // An earlier mapping that a later one overtook (a retransmission after loss) goes in place.
        ArrayDeque<Mapping> sorted = new ArrayDeque<>(received.size() + 1);
        boolean placed = false;
        for (Mapping old : received) {
            if (!placed && Seq32.lt(m.subflowSeq(), old.subflowSeq())) {
                sorted.add(m);
                placed = true;
            }
            sorted.add(old);
        }
        if (!placed) {
            sorted.add(m);
        }
        received.clear();
        received.addAll(sorted);
    }

    @Override
    public int pullSendData(TcpConnection c, long nowNanos, int maxBytes) {
        return conn.pull(this, nowNanos, maxBytes);
    }

    @Override
    public int segmentLimit(TcpConnection c, int seq, int len) {
        for (Mapping m : sent) {
            if (m.covers(seq)) {
                return Math.min(len, Seq32.diff(m.endSeq(), seq));
            }
        }
        return len;
    }

    @Override
    public long receiveWindow(TcpConnection c) {
        // After fallback too: data maps one to one, and the connection's buffer is still the limit.
        return conn.mode != MptcpConnection.Mode.PLAIN && conn.remoteKeyKnown() ? conn.receiveWindow() : -1;
    }

    @Override
    public void onStateChange(TcpConnection c, TcpState from, TcpState to) {
        conn.onSubflowState(this, from, to);
    }

    /** The sent mapping holding subflow byte {@code seq}, or null. */
    Mapping sentMappingFor(int seq) {
        for (Mapping m : sent) {
            if (m.covers(seq)) {
                return m;
            }
        }
        return null;
    }

    /**
     * Forgets sent mappings wholly below {@code dataAck} whose bytes this subflow's peer has also
     * acknowledged: data DATA_ACKed through a reinjected copy may still be retransmitted here, and
     * a retransmission must carry its mapping (RFC 8684 section 3.3.1).
     */
    void pruneSent(long dataAck) {
        while (!sent.isEmpty() && Dsn.le(sent.peekFirst().dsn() + sent.peekFirst().length(), dataAck)
                && Seq32.le(sent.peekFirst().endSeq(), tcp.sndUna())) {
            sent.pollFirst();
        }
    }

    /** Whether this subflow was handed the data at {@code dsn} (and still remembers its mapping). */
    boolean holdsDsn(long dsn) {
        for (Mapping m : sent) {
            if (Dsn.le(m.dsn(), dsn) && Dsn.lt(dsn, m.dsn() + m.length())) {
                return true;
            }
        }
        return false;
    }

    /** The first sequence number of the segment, relative to the ISN (RFC 8684 section 3.3.1's "SSN"). */
    int relativeSeq(int seq) {
        return Seq32.diff(seq, tcp.iss());
    }

    static boolean isPureSyn(TcpSegment seg) {
        return seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.ACK);
    }

    @Override
    public String toString() {
        return "subflow " + tcp.local() + " -> " + tcp.remote() + (initial ? " (initial)" : " (join)");
    }
}
