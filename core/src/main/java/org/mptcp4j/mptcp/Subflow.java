package org.mptcp4j.mptcp;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.mptcp4j.base.Dsn;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.tcp.SubflowExtension;
import org.mptcp4j.tcp.TcpConnection;
import org.mptcp4j.tcp.TcpState;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.OutgoingSegment;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpSegment;

/**
 * One subflow of an MPTCP connection: the glue between a {@link TcpConnection} and its
 * {@link MptcpConnection} (Linux {@code struct mptcp_subflow_context}, the paper's subsocket).
 * TCP calls it for the options of every segment it sends and receives, hands it in-order payload
 * (which it maps to data sequence numbers and passes up at once, so the subflow's own receive
 * queue stays empty; with DSS checksums, once the whole mapping is in and checks out), and asks
 * it for data when its windows open (which it pulls from the connection's send buffer through
 * the scheduler).
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
    /**
     * Our backup flag changed: MP_PRIO (RFC 8684 section 3.3.8) goes on this many more pure ACKs.
     * Nothing acknowledges an option, and a lost MP_PRIO would leave the peer with the old
     * priority for the rest of the connection (Linux sends it once); it is idempotent, so it is
     * repeated.
     */
    int prioToSend;
    /** Pure ACKs that carry each MP_PRIO: the first built at once, the others the subflow's next ones. */
    static final int PRIO_COPIES = 3;

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

    /**
     * Mappings of data this subflow sent, in subflow sequence order; kept until a DATA_ACK covers
     * them and this subflow's peer acknowledged them ({@link #pruneSent}). Its send queue reads the
     * bytes through them.
     */
    final ArrayDeque<Mapping> sent = new ArrayDeque<>();
    /**
     * Whether every mapping in {@link #sent} begins at or after the data-level end of the one before
     * it (nothing reinjected onto this subflow since {@code sent} was last empty): the first mapping
     * then holds the lowest DSN. Only {@link #addSent} and the two places that empty {@code sent} change it.
     */
    boolean sentInDsnOrder = true;
    /** Its TCP connection's send queue once it carried MPTCP data: references into the connection's buffer. */
    MappedSendQueue queue;
    /** Mappings received whose data has not all been handed up yet, in subflow sequence order. */
    final ArrayDeque<Mapping> received = new ArrayDeque<>();
    /** Subflow bytes [poisonedFrom, poisonedTo) two mappings contradicted for: no mapping is taken for them. */
    int poisonedFrom;
    int poisonedTo;
    /** Infinite mappings refused after our MP_FAIL. */
    int infiniteMapsRefused;
    /** We sent MP_FAIL for a checksum that failed here: an MP_FAIL from the peer is its answer, not a failure of its own. */
    boolean mpFailOriginated;
    /** Segments in a row that came without any MPTCP option ({@link MptcpConnection#onPeerFellBack}). */
    int optionlessSegments;
    /** Whether the last data segment that arrived carried an MPTCP option, and where its data ended. */
    boolean lastDataHadOptions = true;
    int lastDataEnd;
    /** A DATA_FIN is to be signalled on this subflow's next pure ACK. */
    boolean dataFinPending;
    /** Reset reason (MP_TCPRST, RFC 8684 section 3.6) to put on the RST this subflow sends, or -1. */
    int resetReason = -1;
    /**
     * Flag T of the MP_TCPRST this subflow sends (RFC 8684 section 3.6): "the error condition that is
     * being reported is not persistent", a new subflow may succeed. Linux leaves it clear.
     */
    boolean resetTransient;
    /**
     * The reason of the MP_TCPRST the peer reset this subflow with, or {@link MptcpInfo#NO_RESET}
     * (Linux {@code reset_seen}, {@code reset_reason}); with {@link #peerResetFlags}, what
     * {@code ip mptcp monitor} shows on SF_CLOSED as {@code reset_reason} and {@code reset_flags}.
     */
    int peerResetReason = MptcpInfo.NO_RESET;
    /** The flags byte of that MP_TCPRST (bit 0 is T, {@code MPTCP_RST_TRANSIENT}); the others are reserved. */
    int peerResetFlags;
    /** Put MP_FASTCLOSE (with the peer's key) on the RST this subflow sends (RFC 8684 section 3.5). */
    boolean fastclose;
    /** A received mapping held back until its DSS checksum is checked (only while checksums are in use). */
    final MappingCheck check = new MappingCheck();
    /** The MPTCP options of the segment being received, filled again for each. */
    private final MptcpOptionsIn optionsIn = new MptcpOptionsIn();
    /**
     * MP_FAIL (RFC 8684 section 3.7) for {@link #mpFailDsn} goes on this subflow's next segment:
     * its RST when {@link #resetReason} is set, else its next pure ACK, and again with backoff
     * ({@link #scheduleMpFail}) until the peer's infinite mapping arrives.
     */
    boolean mpFailPending;
    /** A join counted against the subflow limit ({@link Limits#subflows()}): its slot is given back when it closes. */
    boolean joinCounted;
    long mpFailDsn;
    private long mpFailResendAt;
    private int mpFailResends;
    /**
     * The infinite mapping (data-level length 0) this subflow sends after the connection fell back
     * on the peer's MP_FAIL; null otherwise. It goes on every segment while the peer's segments
     * still carry MPTCP options (the peer has not seen it yet).
     */
    Mapping infiniteMap;
    /** The peer's last segment carried no MPTCP option: it fell back too, the infinite mapping may stop. */
    boolean peerFellBack;
    /** A segment without MPTCP options came since the fallback: the peer fell back too. */
    boolean peerSeenFallenBack;
    /** MPTcpExtInfiniteMapTx counts the infinite mapping once, however many segments carry it. */
    boolean infiniteMapCounted;
    /** When {@link Penalizer} last reduced this subflow's congestion window (at most once per its RTT). */
    long penalizedAtNanos = Long.MIN_VALUE / 2;
    /** The receive-buffer tuner named it the slowest path when the buffer's cap began to bind. */
    boolean flaggedSlow;
    /** Its share in the connection's receive-buffer autotuning ({@link ReceiveBufferTuner}); null before its first data. */
    ReceiveBufferTuner.Contribution receiveContribution;
    /** The connection-level bytes this subflow carried (ss -M: per-subflow data). */
    long bytesMappedOut;
    long bytesMappedIn;
    /**
     * The data-level end of what this subflow carried (new data or copies, not reinjections):
     * under the redundant scheduler it copies on from here.
     */
    long carriedTo;

    Subflow(MptcpConnection conn, boolean initial, int localId, int localNonce) {
        this.conn = conn;
        this.initial = initial;
        this.localId = localId;
        this.localNonce = localNonce;
        this.carriedTo = conn.localIdsn + 1;
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
        // dataMss() works out the option space: not asked when there is no room anyway.
        return room == 0 || room < tcp.dataMss() && tcp.bytesInFlight() > 0 ? 0 : room;
    }

    /**
     * Bytes this subflow holds that its peer has not acknowledged: in flight plus queued unsent
     * (the kernel's {@code write_seq - snd_una}; what BLEST calls the slow subflow's in-flight).
     */
    public long bytesQueued() {
        return Math.max(0, Seq32.diff(tcp.appendSeq(), tcp.sndUna()));
    }

    public int localId() {
        return localId;
    }

    public int remoteId() {
        return remoteId;
    }

    private long rateCwnd = -1;
    private long rateSrtt = -1;
    private double rate;

    /**
     * cwnd / srtt in bytes per nanosecond, for the send-buffer tuning that runs per DATA_ACK over
     * every subflow: the division is done again only when this subflow's window or RTT changed
     * (on most DATA_ACKs only the acknowledging subflow's did).
     */
    double sendRate(long cwnd, long srtt) {
        if (cwnd != rateCwnd || srtt != rateSrtt) {
            rateCwnd = cwnd;
            rateSrtt = srtt;
            rate = cwnd / (double) srtt;
        }
        return rate;
    }

    /** Whether the scheduler may hand this subflow data. */
    boolean usable() {
        return mptcpEstablished && !dead && !joinAckPending && tcp.state() == TcpState.ESTABLISHED
                || mptcpEstablished && !dead && !joinAckPending && tcp.state() == TcpState.CLOSE_WAIT;
    }

    // ====================================================================== SubflowExtension

    @Override
    public void writeOptions(TcpConnection c, OutgoingSegment segment, int remainingOptionBytes) {
        MptcpOptionsOut.write(this, segment, remainingOptionBytes);
    }

    /**
     * A large segment cut by the device repeats its DSS on every piece, which RFC 8684 allows (a
     * mapping may span segments; Linux's TSO does the same). Not while the MP_CAPABLE that carries
     * the first data's length may still go out (RFC 8684 section 3.1), nor before the join's
     * fourth ACK.
     */
    @Override
    public boolean allowsSegmentationOffload(TcpConnection c) {
        return !joinAckPending && !(initial && conn.client && !fullyEstablished);
    }

    /**
     * With checksums, the initial subflow asks for segments short enough to carry an infinite
     * mapping (a DSS with 64-bit DATA_ACK, DSN and checksum: 28 bytes) beside timestamps within
     * the peer's path MTU. Linux (6.18) puts its infinite mapping, which answers our MP_FAIL (RFC
     * 8684 section 3.7), on a segment it cut after it fell back, with no room kept for MPTCP
     * options: at a 1500-byte MTU that packet is 1528 bytes, Linux cannot send it (DF set:
     * IpFragFails, its own ICMP "fragmentation needed" counted TcpExtOutOfWindowIcmps), retries
     * it forever, and holds the ACKs it would piggyback on it: the connection stalls. Linux's
     * segments before the fallback keep room for their DSS anyway, so this costs them 28 bytes of
     * payload each. Only the initial subflow can fall back; a client that does not ask for
     * checksums learns the server does from the SYN-ACK, after its own MSS went out.
     */
    @Override
    public int advertisedMss(TcpConnection c, int mss) {
        return initial && conn.checksums ? mss - MptcpOptionsOut.dssLength(true, true, true) : mss;
    }

    @Override
    public int reservedOptionBytes(TcpConnection c, boolean dataSegment) {
        return MptcpOptionsOut.reserved(this, dataSegment);
    }

    @Override
    public void writeResetOptions(TcpConnection c, int remainingOptionBytes, OutgoingSegment out) {
        if (fastclose && conn.remoteKeyKnown()) {
            out.add(new MptcpOption.MpFastclose(conn.remoteKey));
            conn.mib.increment(MibCounter.MPTCP_FASTCLOSE_TX);
            // MP_TCPRST goes beside it where there is room, as Linux adds it to every subflow RST
            // (RFC 8684 section 3.6), reason 0 "unspecified" unless one was set; mptcp_join.sh's
            // fastclose cases count it on both ends (chk_rst_nr).
            if (remainingOptionBytes - 12 >= 4) {
                out.add(new MptcpOption.MpTcpRst(resetFlags(), Math.max(resetReason, MptcpOption.MpTcpRst.REASON_UNSPECIFIED)));
                conn.mib.increment(MibCounter.MPTCP_RST_TX);
            }
            return;
        }
        if (mpFailPending && remainingOptionBytes >= 12) {
            out.add(new MptcpOption.MpFail(mpFailDsn));
            conn.mib.increment(MibCounter.MPTCP_MP_FAIL_TX);
            mpFailPending = false;
            remainingOptionBytes -= 12;
        }
        if (resetReason >= 0 && remainingOptionBytes >= 4) {
            out.add(new MptcpOption.MpTcpRst(resetFlags(), resetReason));
            conn.mib.increment(MibCounter.MPTCP_RST_TX);
        }
    }

    private int resetFlags() {
        return resetTransient ? MptcpOption.MpTcpRst.FLAG_TRANSIENT : 0;
    }

    /** Resets this subflow with MP_TCPRST {@code reason}, flag T as {@code transientError}, on its next RST. */
    void setReset(int reason, boolean transientError) {
        resetReason = reason;
        resetTransient = transientError;
    }

    @Override
    public void onResetAccepted(TcpConnection c, TcpSegment rst) {
        // Kept for MPTCP_INFO and SF_CLOSED (Linux reset_seen, reset_reason, reset_transient);
        // counted MPRstRx with the RST's other options (MptcpConnection.onReset).
        rst.option(MptcpOption.MpTcpRst.class).ifPresent(r -> {
            peerResetReason = r.reason();
            peerResetFlags = r.flags();
        });
    }

    @Override
    public boolean onSegmentReceived(TcpConnection c, TcpSegment seg) {
        if (tcp == null) {
            tcp = c; // a passive open hands the SYN in before the stack attaches the connection
        }
        return conn.onSegment(this, seg, optionsIn.read(seg, c.segmentOptions()));
    }

    @Override
    public boolean takesReceivedData() {
        return true;
    }

    @Override
    public void onDataReceived(TcpConnection c, long nowNanos, int seq, ByteBuffer data) {
        if (check.failed()) {
            holdAfterFailure(nowNanos, data);
            return;
        }
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
            // The whole segment under one mapping without checksum (the usual case) goes up as it
            // came: the data level reads it by absolute index and leaves its position alone.
            ByteBuffer piece = m.checksum() < 0 && n == end - data.position() ? data
                    : data.duplicate().position(pos).limit(pos + n);
            if (m.checksum() < 0) {
                conn.onData(this, nowNanos, m.dsnOf(at), piece);
                bytesMappedIn += n;
            } else if (!checked(nowNanos, m, at, piece)) {
                if (check.failed()) {
                    holdAfterFailure(nowNanos, data.duplicate().position(pos + n).limit(end));
                }
                return;
            }
            pos += n;
            at = Seq32.add(at, n);
            if (at == m.endSeq()) {
                received.remove(m);
            }
        }
    }

    /**
     * Bytes of mapping {@code m}, which carries a checksum, from subflow byte {@code at}: held until
     * the mapping is complete, then handed up if the checksum is right. False when it was wrong: the
     * connection then resets this subflow or waits for a fallback
     * ({@link MptcpConnection#onChecksumFailure}). A mapping whose first bytes came before it was
     * known (their segment's DSS was lost, and they were dropped unmapped) cannot be checked: the
     * rest of it is unmapped data too ({@link MptcpConnection#onUnmappedData}), sent again by the
     * peer under a fresh mapping.
     */
    private boolean checked(long nowNanos, Mapping m, int at, ByteBuffer piece) {
        if (check.mapping() != m) {
            if (at != m.subflowSeq()) {
                conn.onUnmappedData(this, nowNanos, at, piece);
                return conn.mode == MptcpConnection.Mode.MPTCP && tcp.state().isSynchronized();
            }
            check.start(m, Seq32.diff(m.subflowSeq(), tcp.irs()));
        }
        check.append(piece);
        if (!check.complete()) {
            return true;
        }
        if (!check.verifies()) {
            return failChecksum(nowNanos);
        }
        conn.onData(this, nowNanos, m.dsn(), check.bytes());
        bytesMappedIn += m.length();
        check.clear();
        return true;
    }

    private boolean failChecksum(long nowNanos) {
        Mapping m = check.mapping();
        switch (conn.onChecksumFailure(this, m, nowNanos)) {
            case DELIVER -> {
                conn.onData(this, nowNanos, m.dsn(), check.bytes());
                bytesMappedIn += m.length();
                check.clear();
                return true;
            }
            case HOLD -> check.fail(); // the failed mapping's bytes stay, for the fallback to deliver
            case RESET -> check.clear();
        }
        return false;
    }

    /**
     * After MP_FAIL on the only subflow, everything arriving is held for the fallback (it maps one
     * to one from the failed mapping's start once the infinite mapping comes). A peer that sends
     * more than the connection's receive buffer meanwhile is not falling back: the subflow is reset.
     */
    private void holdAfterFailure(long nowNanos, ByteBuffer data) {
        if (!data.hasRemaining()) {
            return;
        }
        if ((long) check.held() + data.remaining() > conn.failHoldLimit()) {
            check.clear();
            conn.resetForMiddlebox(this, nowNanos);
            return;
        }
        check.append(data);
    }

    /**
     * The connection fell back (an infinite mapping is now this subflow's only mapping): the bytes
     * held for a checksum go up under it, in order, before anything that arrives later. Held bytes
     * before the infinite mapping's start are dropped: a peer that maps from a later subflow byte
     * (Linux puts the infinite mapping on the data it sends next, a retransmission of the failed
     * DSNs included) sends their DSNs again from there.
     */
    void releaseHeld(long nowNanos) {
        Mapping m = check.mapping();
        Mapping infinite = received.peekFirst();
        if (m == null || infinite == null) {
            check.clear();
            return;
        }
        ByteBuffer bytes = check.bytes();
        int from = m.subflowSeq();
        int skip = Seq32.lt(from, infinite.subflowSeq())
                ? (int) Math.min(bytes.remaining(), Seq32.diff(infinite.subflowSeq(), from)) : 0;
        bytes.position(skip);
        check.clear();
        if (bytes.hasRemaining()) {
            onDataReceived(tcp, nowNanos, Seq32.add(from, skip), bytes);
        }
    }

    /**
     * MP_FAIL goes on this subflow's ACKs: now, and again while no infinite mapping came, after
     * twice the RTO and then backing off. The answer rides behind everything the peer has in
     * flight, whose queue may have grown since the RTO was measured.
     */
    void scheduleMpFail(long dsn) {
        mpFailPending = true;
        conn.subflowDeadlines = true;
        mpFailDsn = dsn;
        mpFailResendAt = Long.MIN_VALUE;
        mpFailResends = 0;
    }

    /** Whether an established-state segment sent at {@code nowNanos} should carry MP_FAIL. */
    boolean mpFailDue(long nowNanos) {
        return mpFailPending && resetReason < 0 && nowNanos >= mpFailResendAt;
    }

    void mpFailSent(long nowNanos) {
        mpFailResendAt = nowNanos + (tcp.rtoNanos() << Math.min(++mpFailResends, 6));
        mpFailPokeAt = mpFailResendAt;
        conn.host.rearm(conn);
    }

    /** When a pure ACK of its own is to carry MP_FAIL again ({@link #mpFailDeadline}). */
    private long mpFailPokeAt = Long.MAX_VALUE;

    /**
     * When MP_FAIL is to go again on a pure ACK of its own ({@link MptcpConnection#nextDeadline}):
     * while this subflow holds data after its MP_FAIL and no valid infinite mapping came, a peer
     * that has nothing more to send would otherwise never be asked again.
     */
    long mpFailDeadline() {
        return mpFailPending && check.failed() && resetReason < 0 && tcp.state().isSynchronized()
                ? mpFailPokeAt : Long.MAX_VALUE;
    }

    /** The deadline passed: the next ACK carries MP_FAIL, and the one after waits longer (whether or not this one goes). */
    void mpFailPoked(long nowNanos) {
        mpFailPokeAt = nowNanos + (tcp.rtoNanos() << Math.min(++mpFailResends, 6));
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
     * retransmission's copy and is ignored. One for bytes already mapped differently (another DSN,
     * or overlapping another mapping) contradicts it: nothing is added and the known mapping it
     * contradicts is returned, for {@link MptcpConnection#onMappingConflict} to decide (RFC 8684
     * section 3.3.1 allows one mapping per subflow byte; Linux counts DSSNotMatching). Null otherwise.
     */
    Mapping addReceivedMapping(Mapping m) {
        if (m.length() == 0 || Seq32.le(m.endSeq(), tcp.rcvNxt())) {
            return null; // data already handed up (or nothing to map)
        }
        if (poisonedFrom != poisonedTo && Seq32.lt(m.subflowSeq(), poisonedTo) && Seq32.lt(poisonedFrom, m.endSeq())) {
            return null; // bytes two mappings contradicted each other for: none is trusted (forgetReceivedMapping)
        }
        Mapping last = received.peekLast();
        if (last != null && last.subflowSeq() == m.subflowSeq() && last.length() == m.length()) {
            // The common case: the next segment of the mapping just received.
            return last.dsn() != m.dsn() ? last : null;
        }
        if (last == null || Seq32.ge(m.subflowSeq(), last.endSeq())) {
            if (received.size() >= MAX_MAPPINGS) {
                conn.mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
                return null;
            }
            received.addLast(m);
            return null;
        }
        for (Mapping old : received) {
            if (old.subflowSeq() == m.subflowSeq() && old.length() == m.length()) {
                return old.dsn() != m.dsn() ? old : null;
            }
            if (Seq32.lt(m.subflowSeq(), old.endSeq()) && Seq32.lt(old.subflowSeq(), m.endSeq())) {
                return old;
            }
        }
        if (received.size() >= MAX_MAPPINGS) {
            conn.mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
            return null;
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
        return null;
    }

    /**
     * Forgets received mapping {@code m}, which {@code contradicting} contradicted: the bytes either
     * covers arrive unmapped (and are dropped), whatever mapping comes for them later (a segment
     * cut by the device repeats a rewritten DSS on every piece); a held checksum over {@code m} is
     * abandoned too.
     */
    void forgetReceivedMapping(Mapping m, Mapping contradicting) {
        received.remove(m);
        poisonedFrom = Seq32.lt(contradicting.subflowSeq(), m.subflowSeq()) ? contradicting.subflowSeq() : m.subflowSeq();
        poisonedTo = Seq32.gt(contradicting.endSeq(), m.endSeq()) ? contradicting.endSeq() : m.endSeq();
        if (check.mapping() == m && !check.failed()) {
            check.clear();
        }
    }

    @Override
    public int pullSendData(TcpConnection c, long nowNanos, int maxBytes) {
        return conn.pull(this, nowNanos, maxBytes);
    }

    @Override
    public boolean mayHaveDataToSend(TcpConnection c) {
        return conn.mayHaveDataToSend();
    }

    @Override
    public int segmentLimit(TcpConnection c, int seq, int len) {
        Mapping m = sentMappingFor(seq);
        return m == null ? len : Math.min(len, Seq32.diff(m.endSeq(), seq));
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

    /** The send queue that references the connection's buffer, put in place of TCP's own (empty) ring on first use. */
    MappedSendQueue sendQueue(DataSendBuffer data) {
        if (queue == null) {
            queue = new MappedSendQueue(this, data, tcp.sendQueue().capacity());
            tcp.setSendQueue(queue);
        }
        return queue;
    }

    /** The sent mapping holding subflow byte {@code seq}, or null. */
    Mapping sentMappingFor(int seq) {
        // Mappings are in subflow-sequence order. New data is looked up at the tail and
        // retransmissions near SND.UNA at the head: scan from the nearer end, so that a window of
        // hundreds of mappings costs a step or two per segment, not a walk.
        Mapping first = sent.peekFirst();
        if (first == null) {
            return null;
        }
        Mapping last = sent.peekLast();
        boolean fromTail = Seq32.diff(seq, first.subflowSeq()) > Seq32.diff(last.endSeq(), seq);
        // Sent mappings hold disjoint subflow bytes: the nearer end itself, most often, without an iterator.
        Mapping end = fromTail ? last : first;
        if (end.covers(seq)) {
            return end;
        }
        for (Iterator<Mapping> it = fromTail ? sent.descendingIterator() : sent.iterator(); it.hasNext(); ) {
            Mapping m = it.next();
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
        if (sent.isEmpty()) {
            sentInDsnOrder = true;
        }
    }

    /** Remembers a mapping of data this subflow is about to send (after the others, in subflow sequence order). */
    void addSent(Mapping m) {
        Mapping last = sent.peekLast();
        if (last != null && Dsn.lt(m.dsn(), last.dsn() + last.length())) {
            sentInDsnOrder = false;
        }
        sent.addLast(m);
    }

    /** Forgets every sent mapping (the subflow failed). */
    void clearSent() {
        sent.clear();
        sentInDsnOrder = true;
    }

    /** Whether this subflow was handed the data at {@code dsn} (and still remembers its mapping). */
    boolean holdsDsn(long dsn) {
        return sentMappingHolding(dsn) != null;
    }

    /**
     * Whether this subflow's peer acknowledged (at the TCP level) the subflow byte that last carried
     * {@code dsn} (a connection-level retransmission on this subflow maps it a second time).
     */
    boolean deliveredDsn(long dsn) {
        for (Iterator<Mapping> it = sent.descendingIterator(); it.hasNext(); ) {
            Mapping m = it.next();
            if (Dsn.le(m.dsn(), dsn) && Dsn.lt(dsn, m.dsn() + m.length())) {
                return Seq32.lt(Seq32.add(m.subflowSeq(), (int) (dsn - m.dsn())), tcp.sndUna());
            }
        }
        return false;
    }

    /** The sent mapping that holds the data at {@code dsn}, or null. */
    Mapping sentMappingHolding(long dsn) {
        for (Mapping m : sent) {
            if (Dsn.le(m.dsn(), dsn) && Dsn.lt(dsn, m.dsn() + m.length())) {
                return m;
            }
        }
        return null;
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
