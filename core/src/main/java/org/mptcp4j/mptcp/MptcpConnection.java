package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.mptcp4j.base.Dsn;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.cc.CoupledGroup;
import org.mptcp4j.crypto.MptcpCrypto;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.tcp.SubflowExtension;
import org.mptcp4j.tcp.TcpConnection;
import org.mptcp4j.tcp.TcpError;
import org.mptcp4j.tcp.TcpState;
import org.mptcp4j.wire.IncomingOptions;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpSegment;

/**
 * An MPTCP connection: the paper's multipath control block (Linux {@code struct mptcp_sock}),
 * the object the application holds. It owns the keys, tokens and IDSNs, the 64-bit data sequence
 * space with its send buffer and two-level receive queue, the subflows, the scheduler, the path
 * manager and the subflows' coupled congestion-control group.
 *
 * <p>A connection is in one of three {@link Mode}s. {@link Mode#PLAIN}: MPTCP was not negotiated
 * (disabled here, or the peer did not answer MP_CAPABLE: RFC 8684 section 3.7), and the only
 * subflow is a plain TCP connection whose own buffers the application reads and writes, exactly as
 * Linux's MPTCP socket falls back to its first subflow. {@link Mode#MPTCP}: the data-level protocol
 * runs. {@link Mode#FALLBACK}: MPTCP was negotiated but data later arrived without a mapping on the
 * only subflow; data flows on as if mapped implicitly (an infinite mapping).
 *
 * <p>Sans-IO like everything in core: the stack calls it with segments (through each subflow's
 * {@link Subflow} extension), application calls and timeouts, and it calls the stack back through
 * {@link MptcpHost}. {@link #now} is the time of the call being handled.
 */
public final class MptcpConnection {
    public enum Mode { MPTCP, PLAIN, FALLBACK }

    /** RFC 8684 section 3.6 reset reasons. */
    static final int RESET_UNSPECIFIED = 0;
    static final int RESET_MPTCP_SPECIFIC = 1;
    static final int RESET_ADMINISTRATIVELY_PROHIBITED = 3;
    /**
     * "An excessive amount of data that needs to be transmitted over the terminated subflow while
     * having already been acknowledged over one or more other subflows."
     */
    static final int RESET_TOO_MUCH_OUTSTANDING_DATA = 4;
    static final int RESET_MIDDLEBOX = 6;
    /** "The performance of this subflow was too low compared to the other subflows." */
    static final int RESET_UNACCEPTABLE_PERFORMANCE = 5;
    /** Segments in a row without any MPTCP option after which the peer is taken to have fallen back. */
    static final int PEER_FALLBACK_SEGMENTS = 3;
    /** Marks a {@link #reinject} range that may go on the subflow that carried it first. */
    private static final long SAME_SUBFLOW = 1;
    /** One data-level mapping covers at most this much (the data-level length field is 16 bits). */
    static final int MAX_MAPPING_BYTES = 65535;
    /** The send buffer's tuned size to start with: about what Linux gives a new connection (tcp_sndbuf_expand over an initial window of ten). */
    static final int MIN_SEND_BUFFER_BYTES = 64 * 1024;
    /** The largest send buffer a connection may grow: a power of two below the largest Java array. */
    static final int MAX_SEND_BUFFER_BYTES = 1 << 30;
    /** Segments' worth a subflow takes at least when it pulls (when that much is waiting). */
    static final int PULL_SEGMENTS = 8;
    /** DATA_FIN is resent this often at most before the connection gives up on an answer. */
    static final int DATA_FIN_RETRIES = 15;
    /**
     * A subflow whose retransmission timer fired this often in a row is stale while another
     * subflow is not (Linux {@code net.mptcp.stale_loss_cnt}, default 4).
     */
    static final int STALE_LOSS_COUNT = 4;

    final MptcpHost host;
    final Mib mib;
    final MptcpConfig config;
    final Rng rng;
    final TokenTable tokens;
    final boolean client;
    Mode mode;
    long now;

    // ---- keys (RFC 8684 section 3.1, 3.2)
    final long localKey;
    final int localToken;
    final long localIdsn;
    long remoteKey;
    int remoteToken;
    long remoteIdsn;
    private boolean remoteKeyKnown;
    /** DSS checksums in use: either side asked for them (RFC 8684 section 3.1, flag A). */
    boolean checksums;
    /** The server's MP_CAPABLE carried flag C: no join to its initial address and port. */
    boolean remoteDeniesJoinToInitial;
    /** Send 64-bit DATA_ACKs: the peer sends 64-bit DSNs (as Linux decides). */
    boolean ack64;
    /**
     * The connection may still fall back to TCP with an infinite mapping (RFC 8684 section 3.7;
     * Linux {@code allow_infinite_fallback}): no second subflow ever joined, so the data on the
     * one subflow is contiguous at the data level. A retransmission that sends data again on the
     * same subflow must clear it too.
     */
    boolean infiniteFallbackAllowed = true;
    /** An MP_FAIL on the only subflow was sent or received: no subflow joins any more (Linux {@code allow_subflows}). */
    private boolean mpFailed;

    // ---- subflows, scheduling, paths
    final List<Subflow> subflows = new ArrayList<>(2);
    /** {@link #subflows}, read-only: what {@link #usableSubflows} hands out when every subflow is usable and fresh. */
    private final List<Subflow> subflowsView = java.util.Collections.unmodifiableList(subflows);
    /** The subflow whose queue held the send buffer's front when {@link #lowestNeeded} last looked; null if none. */
    private Subflow frontHolder;
    /** Subflows whose remote address the peer removed, closed once the segment that said so is through. */
    private final List<Subflow> removedByPeer = new ArrayList<>(1);
    /** Subflows to reset for "too much outstanding data" once the segment that showed their path back is through. */
    private final List<Subflow> tooMuchOutstanding = new ArrayList<>(1);
    final CoupledGroup ccGroup = new CoupledGroup();
    /** Chooses the subflow for each segment; the application may change it while data flows ({@link #setScheduler}). */
    private Scheduler scheduler;
    /** Every scheduling decision goes here when set; null (the default) costs one check per mapping. */
    private SchedulerTrace schedulerTrace;
    /** What the scheduler may know of the send side. */
    private final Scheduler.SendState sendState = new Scheduler.SendState() {
        @Override
        public long bytesWaiting() {
            return snd.unmapped();
        }

        @Override
        public long bytesInFlight() {
            return snd.nxt() - snd.una();
        }

        @Override
        public long sendWindowBytes() {
            return Math.max(0, sndWndEnd - snd.una());
        }
    };
    final PmData pathManager;

    // ---- data level
    final DataSendBuffer snd;
    DataReceiveQueue rcv;
    private final int receiveBufferBytes;
    /** The paper's autotuning of the connection-level buffer (section 4.1); null when autotuning is off. */
    private final ReceiveBufferTuner tuner;
    /** Opportunistic retransmission and penalization when the peer's window blocks a subflow. */
    private final Penalizer penalizer;
    /** The right edge of the peer's data-level receive window: DATA_ACK plus window (RFC 8684 section 3.3.5). */
    long sndWndEnd;
    /** The largest data-level window the peer offered (RFC 9293's max(SND.WND), for silly window avoidance). */
    private long maxSndWindow;
    /** The application's last write left bytes the send buffer had no room for. */
    private boolean writeShort;
    /** The right edge we advertised at the data level; it never moves left. */
    long rcvAdvRight;
    /**
     * The largest segment a subflow received (each subflow's Linux {@code rcv_mss}), the MSS of
     * receiver-side silly window avoidance; RFC 9293's default MSS until data arrives.
     */
    private int rcvMss = 536;
    /**
     * Ranges [start, end) of DSNs to send again on another subflow (RFC 8684 section 3.3.6); a
     * third element {@link #SAME_SUBFLOW} lets the range go on the subflow that holds it already.
     */
    private final ArrayList<long[]> reinject = new ArrayList<>();
    /** What the short segments sent and not yet DATA_ACKed cost the peer's window beyond their bytes. */
    private final PartialSegments partialSegments = new PartialSegments();
    private byte[] scratch = new byte[0];
    /**
     * The connection-level retransmission timer (Linux {@code mptcp_retransmit_timer}): armed while
     * mapped data waits for a DATA_ACK, restarted whenever the DATA_ACK advances.
     */
    private long retransmitDeadline = Nanos.NEVER;
    /** Unmapped payload dropped on the only subflow since data last arrived in order ({@link #onUnmappedData}). */
    private long unmappedDropped;
    /**
     * Segments refused since data last arrived in order at the data level: unmapped pieces
     * dropped, data beyond the window, infinite mappings refused. Past {@link #MAX_REFUSED} the
     * peer and this end no longer agree on the data level (a rewritten key, say, puts every DSN
     * elsewhere) and the subflow is reset ({@link #refused}).
     */
    private int refusedWithoutProgress;
    static final int MAX_REFUSED = 128;
    /** When data last arrived in order at the data level. */
    private long lastDataInNanos = Long.MIN_VALUE / 2;
    /** MPTCP_INFO's activity times and retransmission counts (see {@link MptcpInfo}). */
    private long lastDataOutNanos = MptcpInfo.NEVER;
    private long lastDataAckInNanos = MptcpInfo.NEVER;
    private long bytesReinjected;
    private long reinjections;
    /** The application answers what it receives at once (Linux's ping-pong mode): see {@link #write}. */
    private boolean pingpong;
    /** Linux's {@code TCP_ATO_MIN}: a reply sent within this of the data it answers makes the connection interactive. */
    private static final long PINGPONG_ATO_NANOS = Nanos.ofMillis(40);
    /** Connection-level retransmission timeouts in a row; each doubles the next interval. */
    private int retransmitBackoff;

    // ---- DATA_FIN (RFC 8684 section 3.3.3)
    boolean dataFinQueued;
    private boolean dataFinAcked;
    private long dataFinDeadline = Nanos.NEVER;
    private int dataFinRetries;
    private boolean peerDataFinSeen;
    private long peerDataFinDsn;
    boolean peerDataFinReceived;

    // ---- application side
    private boolean appClosed;
    private boolean writeBlocked;
    private boolean readableSignaled;
    TcpError error;
    private boolean establishedSignaled;
    private boolean subflowsClosing;
    /**
     * Counted in MPTcpExtMPCurrEstab: from MPTCP-level establishment until this end queues its
     * DATA_FIN or the last subflow leaves; Linux counts an MPTCP socket in ESTABLISHED and
     * CLOSE_WAIT, as TCP's TcpCurrEstab.
     */
    private boolean countedEstablished;
    /** The stack's identifier for this connection (its handle). */
    long ownerId;
    /**
     * The most send buffer each subflow brings to the connection's (Linux {@code tcp_wmem[2]}, a
     * subflow's {@code sk_sndbuf} at most): see {@link #tuneSendBuffer}.
     */
    private final int sendBufferPerSubflow;

    private MptcpConnection(MptcpHost host, Mib mib, MptcpConfig config, Rng rng, TokenTable tokens, boolean client,
            boolean mptcp, int sendBufferBytes, int receiveBufferBytes, int receiveBufferMaxBytes) {
        this.host = host;
        this.mib = mib;
        this.config = config;
        this.rng = rng;
        this.tokens = tokens;
        this.client = client;
        this.mode = mptcp ? Mode.MPTCP : Mode.PLAIN;
        this.localKey = mptcp ? tokens.newKey(rng) : 0;
        this.localToken = mptcp ? MptcpCrypto.tokenOf(localKey) : 0;
        this.localIdsn = mptcp ? MptcpCrypto.idsnOf(localKey) : 0;
        if (mptcp) {
            tokens.put(localToken, this);
        }
        this.checksums = config.checksumRequired();
        this.sendBufferPerSubflow = sendBufferBytes;
        // Room for every subflow the limits allow, plus the initial one; memory is taken as data waits.
        this.snd = new DataSendBuffer((int) Math.min((long) sendBufferBytes * (Limits.MAX + 1), MAX_SEND_BUFFER_BYTES),
                localIdsn + 1);
        snd.setLimit(Math.min(MIN_SEND_BUFFER_BYTES, sendBufferBytes));
        this.receiveBufferBytes = receiveBufferBytes;
        this.tuner = receiveBufferMaxBytes > receiveBufferBytes
                ? new ReceiveBufferTuner(receiveBufferBytes, receiveBufferMaxBytes) : null;
        this.penalizer = new Penalizer(config.receiveBuffer(), mib);
        this.scheduler = Scheduler.byName(config.scheduler()).orElseThrow().get();
        this.pathManager = new PmData(this, config);
    }

    /** A connection the application opens; {@code mptcp} false makes it plain TCP from the start. */
    public static MptcpConnection client(MptcpHost host, Mib mib, MptcpConfig config, Rng rng, TokenTable tokens,
            boolean mptcp, int sendBufferBytes, int receiveBufferBytes, int receiveBufferMaxBytes) {
        return new MptcpConnection(host, mib, config, rng, tokens, true, mptcp, sendBufferBytes, receiveBufferBytes,
                receiveBufferMaxBytes);
    }

    /** A connection a listener accepts: MPTCP when the SYN carried MP_CAPABLE and MPTCP is enabled here. */
    public static MptcpConnection server(MptcpHost host, Mib mib, MptcpConfig config, Rng rng, TokenTable tokens,
            boolean mptcp, int sendBufferBytes, int receiveBufferBytes, int receiveBufferMaxBytes) {
        return new MptcpConnection(host, mib, config, rng, tokens, false, mptcp, sendBufferBytes, receiveBufferBytes,
                receiveBufferMaxBytes);
    }

    /** The extension for the initial subflow: {@link SubflowExtension#PLAIN} for plain TCP. */
    public SubflowExtension initialExtension() {
        if (mode == Mode.PLAIN) {
            return SubflowExtension.PLAIN;
        }
        Subflow s = new Subflow(this, true, 0, 0);
        subflows.add(s);
        return s;
    }

    /** Attaches the initial subflow's TCP connection (after {@link #initialExtension}). */
    public void attachInitial(TcpConnection tcp) {
        initialLocal = tcp.local();
        initialRemote = tcp.remote();
        if (mode == Mode.PLAIN) {
            plainTcp = tcp;
        } else {
            subflows.get(0).tcp = tcp;
        }
    }

    /**
     * The initial subflow's addresses and ports (Linux: the msk's own, {@code inet_sport} and
     * {@code inet_dport}), kept after that subflow closes: the ports joins are compared with, and
     * the address and port flag C rules out.
     */
    private InetSocketAddress initialLocal;
    private InetSocketAddress initialRemote;

    /** The TCP connection of a plain connection (its only subflow). */
    private TcpConnection plainTcp;

    /**
     * A peer's MP_JOIN SYN for this connection (the stack matched its token): the extension for the
     * new subflow, or null when it is refused (not established, closing, failed). The subflow limit
     * is checked at the third ACK, as Linux does ({@code subflow_syn_recv_sock}): a join beyond it
     * gets its SYN/ACK, then a reset.
     */
    public Subflow acceptJoin(MptcpOption.MpJoinSyn syn) {
        return acceptJoin(syn, null);
    }

    /**
     * Joins in their handshake (SYN received, third ACK not yet) a connection holds at most. Each
     * holds a subflow until its third ACK or its SYN/ACK retransmissions run out; Linux holds them
     * as request sockets, bounded by the listener's backlog. Twice Linux's largest subflow limit
     * ({@code MPTCP_PM_ADDR_MAX}, 8).
     */
    static final int MAX_PENDING_JOINS = 16;

    /**
     * Whether a peer's MP_JOIN SYN to our {@code local} address and port may go on to
     * {@link #acceptJoin}: null if so, else why not, counted. Refused: while the connection is not
     * established at the MPTCP level, or once either end has ended its stream ("MPTCP-specific
     * error"; see {@link #acceptsJoins}); when {@link #MAX_PENDING_JOINS} joins are in their
     * handshake already (a flood of join SYNs for a token it learnt: "lack of resources"); to the
     * initial address and port when our MP_CAPABLE set flag C
     * ({@link MptcpConfig#allowJoinInitialAddrPort()}); to another port than the connection's
     * unless announced with that address (Linux counts MPJoinPortSynRx, else MismatchPortSynRx).
     */
    public JoinRefusal refusalOf(InetSocketAddress local) {
        if (!acceptsJoins() || initialLocal == null) {
            mib.increment(MibCounter.MPTCP_JOIN_REJECTED);
            return JoinRefusal.NOT_ACCEPTING;
        }
        if (pendingJoins() >= MAX_PENDING_JOINS) {
            mib.increment(MibCounter.MPTCP_JOIN_REJECTED);
            return JoinRefusal.LACK_OF_RESOURCES;
        }
        if (!config.allowJoinInitialAddrPort() && local.equals(initialLocal)) {
            mib.increment(MibCounter.MPTCP_JOIN_REJECTED);
            return JoinRefusal.INITIAL_ADDRESS_DENIED;
        }
        if (local.getPort() != initialLocal.getPort()) {
            if (!pathManager.announced(local)) {
                mib.increment(MibCounter.MPTCP_MISMATCH_PORT_SYN_RX);
                return JoinRefusal.PORT_MISMATCH;
            }
            mib.increment(MibCounter.MPTCP_JOIN_PORT_SYN_RX);
        }
        return null;
    }

    /**
     * Whether subflows may join, either way: the connection is established at the MPTCP level and
     * neither end has ended its data stream. Linux's {@code mptcp_is_fully_established}, which both
     * {@code mptcp_can_accept_new_subflow} and {@code __mptcp_subflow_connect} ask: its MPTCP socket
     * leaves ESTABLISHED at our DATA_FIN (FIN_WAIT1) or the peer's (CLOSE_WAIT), and from then on
     * refuses a peer's join and opens none of its own.
     */
    boolean acceptsJoins() {
        return mode == Mode.MPTCP && remoteKeyKnown && !appClosed && !dataFinQueued && !peerDataFinReceived && !mpFailed;
    }

    private int pendingJoins() {
        int pending = 0;
        for (Subflow s : subflows) {
            if (!s.initial && !s.mptcpEstablished && !s.dead && (s.tcp == null || !s.tcp.isActiveOpen())
                    && (s.tcp == null || s.tcp.state() != TcpState.CLOSED)) {
                pending++;
            }
        }
        return pending;
    }

    /** {@link #acceptJoin(MptcpOption.MpJoinSyn)} for a SYN to our address {@code local}, whose id the SYN-ACK carries. */
    public Subflow acceptJoin(MptcpOption.MpJoinSyn syn, InetAddress local) {
        if (!acceptsJoins() || pendingJoins() >= MAX_PENDING_JOINS) {
            mib.increment(MibCounter.MPTCP_JOIN_REJECTED);
            return null;
        }
        Subflow s = new Subflow(this, false, local == null ? 0 : pathManager.localIdOf(local), rng.nextInt());
        s.remoteNonce = syn.senderRandom();
        s.remoteId = syn.addressId();
        s.peerBackup = syn.backup();
        subflows.add(s);
        infiniteFallbackAllowed = false;
        return s;
    }

    /** The stack created the TCP connection of a joining subflow. */
    public void attachJoin(Subflow s, TcpConnection tcp) {
        s.tcp = tcp;
        if (rcv != null) {
            tcp.growReceiveBuffer(rcv.capacity());
        }
    }

    /** Opens an MP_JOIN subflow (the path manager's decision); null when it cannot. */
    Subflow openJoin(InetAddress local, InetSocketAddress remote, int localId, boolean backup, long nowNanos) {
        if (!acceptsJoins()) {
            return null;
        }
        infiniteFallbackAllowed = false;
        Subflow s = new Subflow(this, false, localId, rng.nextInt());
        s.backup = backup;
        subflows.add(s);
        if (!host.openSubflow(this, s, local, remote, nowNanos)) {
            subflows.remove(s);
            frontHolder = null;
            return null;
        }
        return s;
    }

    public CoupledGroup ccGroup() {
        return ccGroup;
    }

    /** The scheduler in use. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /**
     * Changes the scheduler, also while data flows: the next segment is the new one's choice. Data
     * already handed to subflows stays where it is (it is theirs to send or retransmit), so the
     * change costs nothing and loses nothing.
     */
    public void setScheduler(Scheduler s) {
        scheduler = java.util.Objects.requireNonNull(s);
        kick(); // a scheduler that waited may have left a subflow the new one would use
    }

    /** Sends every scheduling decision to {@code trace}; null turns the trace off. */
    public void setSchedulerTrace(SchedulerTrace trace) {
        schedulerTrace = trace;
    }

    public Mode mode() {
        return mode;
    }

    public long ownerId() {
        return ownerId;
    }

    public void setOwnerId(long id) {
        ownerId = id;
    }

    public int localToken() {
        return localToken;
    }

    public int remoteToken() {
        return remoteToken;
    }

    public List<Subflow> subflows() {
        return List.copyOf(subflows);
    }

    boolean remoteKeyKnown() {
        return remoteKeyKnown;
    }

    Subflow initialSubflow() {
        for (Subflow s : subflows) {
            if (s.initial) {
                return s;
            }
        }
        return null;
    }

    /**
     * The flags of our MP_CAPABLE, on the SYN, the SYN/ACK and the third ACK alike (as Linux sets
     * them): H (HMAC-SHA256), A when checksums are required, C when joins to our initial address
     * and port are refused ({@link MptcpConfig#allowJoinInitialAddrPort()}, RFC 8684 section 3.1).
     */
    int capableFlags() {
        return MptcpOption.MpCapable.FLAG_HMAC_SHA256 | (checksums ? MptcpOption.MpCapable.FLAG_CHECKSUM_REQUIRED : 0)
                | (config.allowJoinInitialAddrPort() ? 0 : MptcpOption.MpCapable.FLAG_NO_MORE_SUBFLOWS_TO_SOURCE);
    }

    long joinSynAckHmac(Subflow s) {
        return MptcpCrypto.joinSynAckHmac(localKey, remoteKey, s.localNonce, s.remoteNonce);
    }

    byte[] joinAckHmac(Subflow s) {
        return MptcpCrypto.joinAckHmac(localKey, remoteKey, s.localNonce, s.remoteNonce);
    }

    /** The time of the call being handled. */
    public long now() {
        return now;
    }

    /** Sets the time of the call being handled (the stack calls it before handing anything in). */
    public void setNow(long nowNanos) {
        now = nowNanos;
    }

    private void learnRemoteKey(long key) {
        remoteKey = key;
        remoteToken = MptcpCrypto.tokenOf(key);
        remoteIdsn = MptcpCrypto.idsnOf(key);
        remoteKeyKnown = true;
        rcv = new DataReceiveQueue(receiveBufferBytes, remoteIdsn + 1);
        rcvAdvRight = rcv.limit();
        sndWndEnd = snd.una() + 65535;
    }

    // ====================================================================== segments in

    /**
     * The MPTCP options of a segment {@code s}'s TCP accepted (Linux {@code mptcp_incoming_options}
     * and the subflow handshake in {@code subflow.c}). False makes TCP reset the subflow; the reset
     * reason is then on {@code s}.
     */
    boolean onSegment(Subflow s, TcpSegment seg, MptcpOptionsIn in) {
        if (in.unknownSubtypes > 0) {
            mib.add(MibCounter.MPTCP_UNKNOWN_SUBTYPE, in.unknownSubtypes);
        }
        if (in.badVersions > 0) {
            mib.add(MibCounter.MPTCP_CAPABLE_BAD_VERSION, in.badVersions);
        }
        if (in.duplicates > 0) {
            mib.add(MibCounter.MPTCP_DUPLICATE_OPTION, in.duplicates);
        }
        if (in.malformed > 0) {
            mib.add(MibCounter.MPTCP_OPTION_MALFORMED, in.malformed);
        }
        if (mode == Mode.PLAIN) {
            return true;
        }
        boolean syn = seg.has(TcpFlags.SYN);
        boolean ack = seg.has(TcpFlags.ACK);
        if (syn && !ack) {
            if (s.tcp.isActiveOpen()) {
                // Simultaneous open: Linux falls back to TCP (SimultConnectFallback).
                mib.increment(MibCounter.MPTCP_SIMULT_CONNECT_FALLBACK);
                fallBackToPlain(s);
                return true;
            }
            return onSyn(s, in);
        }
        if (syn) {
            return s.initial ? onCapableSynAck(s, in) : onJoinSynAck(s, in);
        }
        if (seg.has(TcpFlags.RST)) {
            onReset(s, in);
            return true;
        }
        if (s.initial && !client && !remoteKeyKnown) {
            return onCapableThirdAck(s, seg, in);
        }
        if (!s.initial && !s.mptcpEstablished && !s.tcp.isActiveOpen()) {
            return onJoinThirdAck(s, in);
        }
        if (mode == Mode.FALLBACK) {
            onFallbackSegment(s, seg, in);
            return true;
        }
        if (s.stale) {
            onSubflowRecovered(s); // its path carries segments again
        }
        if (s.initial && client && !s.fullyEstablished && !in.any) {
            // The server fell back (its third ACK lost, say): the first segment from it without any
            // MPTCP option makes the client fall back too (RFC 8684 section 3.7; as Linux does).
            mib.increment(MibCounter.MPTCP_CAPABLE_DATA_FALLBACK);
            fallBackInfinite(s, s.tcp.irs() + 1, remoteIdsn + 1);
            return true;
        }
        s.optionlessSegments = in.any || !seg.has(TcpFlags.ACK) ? 0 : s.optionlessSegments + 1;
        if (seg.payloadLength() > 0) {
            s.lastDataHadOptions = in.any;
            s.lastDataEnd = Seq32.add(seg.seq(), seg.payloadLength());
        }
        if (s.optionlessSegments >= PEER_FALLBACK_SEGMENTS && !onPeerFellBack(s)) {
            return false;
        }
        if (in.fastclose != null) {
            if (in.fastclose.receiverKey() == localKey) {
                mib.increment(MibCounter.MPTCP_FASTCLOSE_RX);
                fail(TcpError.RESET_BY_PEER);
                return false;
            }
            return true;
        }
        if (in.mpCapable != null && s.initial && !client) {
            MptcpOption.MpCapable c = in.mpCapable;
            if (c.senderKey().isPresent() && c.senderKey().getAsLong() != remoteKey
                    || c.receiverKey().isPresent() && c.receiverKey().getAsLong() != localKey) {
                // The first data repeats the keys of the third ACK (RFC 8684 section 3.1); other
                // keys mean one of the two was rewritten, and the data-level sequence spaces
                // (from the keys' IDSNs) cannot be trusted: the subflow is reset.
                s.resetReason = RESET_MPTCP_SPECIFIC;
                return false;
            }
            addCapableDataMapping(s, seg, c); // the first data, after a third ACK that arrived
        }
        if (s.initial && client && in.any) {
            // Any MPTCP option from the server after the handshake (a DSS, or an ADD_ADDR that a
            // pure ACK carries alone) shows it holds our key (Linux check_fully_established).
            markFullyEstablished(s);
        }
        if (in.dss != null && !onDss(s, seg, in.dss)) {
            return false; // a contradicting mapping: the subflow is reset (the reason is on s)
        }
        if (in.addAddr != null) {
            pathManager.onAddAddr(s, in.addAddr);
        }
        if (in.mpPrio != null) {
            mib.increment(MibCounter.MPTCP_MP_PRIO_RX);
            if (s.peerBackup != in.mpPrio.backup()) {
                s.peerBackup = in.mpPrio.backup();
                pathManager.onPrioReceived(s);
                kick(); // the scheduler's choice may change (backups carry data only when nothing else can)
            }
        }
        if (in.removeAddr != null) {
            removedByPeer.addAll(pathManager.onRemoveAddr(in.removeAddr));
        }
        if (in.mpFail != null) {
            if (!checksums) {
                // MP_FAIL answers a failed DSS checksum (RFC 8684 section 3.7), and Linux sends it
                // for nothing else: without checksums it can only be a rewritten option, and
                // acting on it would fall back over data the peer may not hold in order.
                mib.increment(MibCounter.MPTCP_MP_FAIL_RX);
                return true;
            }
            return onMpFail(s, in.mpFail);
        }
        return true;
    }

    /**
     * {@link #PEER_FALLBACK_SEGMENTS} segments in a row on {@code s} carried no MPTCP option: the
     * peer fell back to TCP (it took data of ours that lost its DSS for a fallback, RFC 8684
     * section 3.7; an MPTCP sender puts a DSS on every segment) or a middlebox now strips the
     * options. With one subflow whose data is one to one at the data level, this end falls back
     * too (counted as MPTcpExtDssFallback), so that both agree; otherwise the subflow is reset
     * with MP_TCPRST "middlebox interference" (false), as section 3.7 asks of a subflow that
     * cannot fall back.
     */
    private boolean onPeerFellBack(Subflow s) {
        // Bytes of a mapping held for its checksum are the subflow's but not yet the data level's:
        // the two agree up to where that mapping begins (they go up under the fallback's mapping).
        Mapping held = s.check.mapping();
        int delivered = held != null ? held.subflowSeq() : s.tcp.rcvNxt();
        if (canFallBackInfinite(s) && (rcv == null || rcv.outOfOrderBytes() == 0
                && Seq32.diff(delivered, s.tcp.irs() + 1) == rcv.rcvNxt() - (remoteIdsn + 1))) {
            mib.increment(MibCounter.MPTCP_DSS_FALLBACK);
            fallBackInfinite(s, s.tcp.irs() + 1, remoteIdsn + 1);
            return true;
        }
        mib.increment(MibCounter.MPTCP_DATA_UNMAPPED);
        s.resetReason = RESET_MIDDLEBOX;
        return false;
    }

    private boolean onSyn(Subflow s, MptcpOptionsIn in) {
        if (s.initial) {
            mib.increment(MibCounter.MPTCP_CAPABLE_SYN_RX);
            if (in.mpCapable != null && in.mpCapable.checksumRequired()) {
                checksums = true;
            }
            // Flag C on the client's SYN: no join to its initial address and port (RFC 8684
            // section 3.1; Linux records it from the SYN too: "mptcp: set remote_deny_join_id0
            // on SYN recv").
            remoteDeniesJoinToInitial = in.mpCapable != null && in.mpCapable.noMoreSubflowsToSource();
        } else {
            mib.increment(MibCounter.MPTCP_JOIN_SYN_RX);
        }
        return true;
    }

    private boolean onCapableSynAck(Subflow s, MptcpOptionsIn in) {
        MptcpOption.MpCapable mpc = in.mpCapable;
        if (mpc == null || mpc.senderKey().isEmpty()) {
            mib.increment(MibCounter.MPTCP_CAPABLE_FALLBACK_SYNACK);
            fallBackToPlain(s);
            return true;
        }
        mib.increment(MibCounter.MPTCP_CAPABLE_SYNACK_RX);
        host.onMpCapableAnswered();
        if (mpc.checksumRequired()) {
            checksums = true;
        }
        // Flag C (RFC 8684 section 3.1): "will not accept additional MPTCP subflows to the source
        // address and port" of this SYN/ACK, the server's initial address (Linux remote_deny_join_id0).
        remoteDeniesJoinToInitial = mpc.noMoreSubflowsToSource();
        learnRemoteKey(mpc.senderKey().getAsLong());
        s.mptcpEstablished = true;
        onMptcpEstablished();
        return true;
    }

    private boolean onJoinSynAck(Subflow s, MptcpOptionsIn in) {
        MptcpOption.MpJoinSynAck j = in.joinSynAck;
        if (j == null) {
            s.resetReason = RESET_MPTCP_SPECIFIC;
            return false;
        }
        mib.increment(MibCounter.MPTCP_JOIN_SYNACK_RX);
        s.remoteNonce = j.senderRandom();
        long expected = MptcpCrypto.joinSynAckHmac(remoteKey, localKey, s.remoteNonce, s.localNonce);
        if (expected != j.senderTruncatedHmac()) {
            mib.increment(MibCounter.MPTCP_JOIN_SYNACK_HMAC_FAILURE);
            s.resetReason = RESET_MPTCP_SPECIFIC;
            return false;
        }
        s.remoteId = j.addressId();
        s.peerBackup = j.backup();
        if (initialRemote != null && s.tcp.remote().getPort() != initialRemote.getPort()) {
            mib.increment(MibCounter.MPTCP_JOIN_PORT_SYNACK_RX); // a join to a port the peer announced
        }
        // RFC 8684 section 3.2: the third ACK is reliable; it goes now and again until the fourth ACK.
        s.joinAckPending = true;
        s.joinAckDeadline = now + s.tcp.rtoNanos();
        subflowDeadlines = true;
        s.tcp.requestAck();
        host.rearm(this);
        pathManager.onSubflowEstablished(s);
        return true;
    }

    private boolean onCapableThirdAck(Subflow s, TcpSegment seg, MptcpOptionsIn in) {
        MptcpOption.MpCapable mpc = in.mpCapable;
        if (mpc == null || mpc.senderKey().isEmpty() || mpc.receiverKey().isEmpty()) {
            mib.increment(MibCounter.MPTCP_CAPABLE_FALLBACK_ACK);
            fallBackToPlain(s);
            return true;
        }
        if (mpc.receiverKey().getAsLong() != localKey) {
            s.resetReason = RESET_MPTCP_SPECIFIC;
            return false;
        }
        mib.increment(MibCounter.MPTCP_CAPABLE_ACK_RX);
        learnRemoteKey(mpc.senderKey().getAsLong());
        s.mptcpEstablished = true;
        s.fullyEstablished = true;
        addCapableDataMapping(s, seg, mpc);
        onMptcpEstablished();
        return true;
    }

    /** RFC 8684 section 3.1: MP_CAPABLE with data maps its data-level length from DSN IDSN+1 at SSN 1. */
    private void addCapableDataMapping(Subflow s, TcpSegment seg, MptcpOption.MpCapable mpc) {
        if (mpc.dataLevelLength().isPresent() && seg.payloadLength() > 0) {
            if (mpc.checksum().isPresent() != checksums) {
                mib.increment(MibCounter.MPTCP_OPTION_MALFORMED); // as a DSS of the wrong length, above
                return;
            }
            s.addReceivedMapping(new Mapping(remoteIdsn + 1, s.tcp.irs() + 1, mpc.dataLevelLength().getAsInt(),
                    mpc.checksum().orElse(-1)));
        }
    }

    private boolean onJoinThirdAck(Subflow s, MptcpOptionsIn in) {
        MptcpOption.MpJoinAck j = in.joinAck;
        if (j == null) {
            s.resetReason = RESET_MPTCP_SPECIFIC;
            return false;
        }
        byte[] expected = Arrays.copyOf(MptcpCrypto.joinAckHmac(remoteKey, localKey, s.remoteNonce, s.localNonce),
                MptcpCrypto.JOIN_ACK_HMAC_BYTES);
        if (!Arrays.equals(expected, j.senderHmac())) {
            mib.increment(MibCounter.MPTCP_JOIN_ACK_RX);
            mib.increment(MibCounter.MPTCP_JOIN_ACK_HMAC_FAILURE);
            s.resetReason = RESET_MPTCP_SPECIFIC;
            return false;
        }
        if (!joinPortStillAnnounced(s)) {
            mib.increment(MibCounter.MPTCP_MISMATCH_PORT_ACK_RX);
            s.resetReason = RESET_ADMINISTRATIVELY_PROHIBITED;
            return false;
        }
        if (!pathManager.acceptJoin(s)) {
            // The subflow limit (or the path manager) refuses it now, after the SYN/ACK: Linux resets
            // with "administratively prohibited" and counts MPJoinRejected, not MPJoinAckRx.
            mib.increment(MibCounter.MPTCP_JOIN_REJECTED);
            s.resetReason = RESET_ADMINISTRATIVELY_PROHIBITED;
            return false;
        }
        mib.increment(MibCounter.MPTCP_JOIN_ACK_RX);
        s.mptcpEstablished = true;
        s.fullyEstablished = true;
        s.tcp.requestAck(); // the fourth ACK, with a DSS (RFC 8684 section 3.2)
        host.wake(s);
        pathManager.onSubflowEstablished(s);
        return true;
    }

    /**
     * For a join's third ACK: true if it came to the connection's port, or to a port still
     * announced with its address (counted as MPJoinPortAckRx); false if that announcement was
     * withdrawn since the SYN (Linux checks again in {@code subflow_syn_recv_sock}).
     */
    private boolean joinPortStillAnnounced(Subflow s) {
        if (initialLocal == null || s.tcp.local().getPort() == initialLocal.getPort()) {
            return true;
        }
        if (!pathManager.announced(s.tcp.local())) {
            return false;
        }
        mib.increment(MibCounter.MPTCP_JOIN_PORT_ACK_RX);
        return true;
    }

    private void onReset(Subflow s, MptcpOptionsIn in) {
        if (in.tcpRst != null) {
            mib.increment(MibCounter.MPTCP_RST_RX); // its reason and flags: Subflow.onResetAccepted
        }
        if (in.mpFail != null) {
            mib.increment(MibCounter.MPTCP_MP_FAIL_RX); // its data was never DATA_ACKed: reinjected as the subflow goes
        }
        if (in.fastclose != null && remoteKeyKnown && in.fastclose.receiverKey() == localKey) {
            mib.increment(MibCounter.MPTCP_FASTCLOSE_RX);
            fail(TcpError.RESET_BY_PEER);
        }
    }

    private void markFullyEstablished(Subflow s) {
        if (!s.fullyEstablished) {
            s.fullyEstablished = true;
            if (s.initial && client) {
                // Linux's client path manager starts once the server has shown it holds our key:
                // a join before that would be refused (the server's connection is not established).
                pathManager.onEstablished(now);
            }
        }
    }

    /** False when the subflow is to be reset (its reason set on {@code s}): see {@link #onMappingConflict}. */
    private boolean onDss(Subflow s, TcpSegment seg, IncomingOptions dss) {
        if (s.joinAckPending) {
            s.joinAckPending = false; // the fourth ACK
            s.joinAckDeadline = Long.MAX_VALUE;
            s.mptcpEstablished = true;
            host.wake(s);
        }
        markFullyEstablished(s);
        if (dss.hasDataAck()) {
            long raw = dss.dataAck();
            long ack = dss.dataAckIs64() ? raw : Dsn.expand32To64((int) raw, snd.una());
            onDataAck(s, ack, (long) seg.window() << s.tcp.sendWindowShift());
        }
        if (!dss.hasMapping()) {
            return true;
        }
        if (dss.dsnIs64()) {
            ack64 = true;
        }
        if (dss.dataLevelLength() == 0) {
            mib.increment(MibCounter.MPTCP_INFINITE_MAP_RX);
            int seq = s.tcp.irs() + dss.subflowSeq();
            long dsn = dss.dsnIs64() ? dss.dsn() : Dsn.expand32To64((int) dss.dsn(), rcv.rcvNxt());
            if (infiniteMappingValid(s, seq, dsn)) {
                fallBackInfinite(s, seq, dsn);
            } else if (s.mpFailOriginated && ++s.infiniteMapsRefused >= PEER_FALLBACK_SEGMENTS) {
                // The peer insists on a mapping that does not match what we delivered: the two
                // ends disagree on the data level, and no fallback can be trusted.
                s.resetReason = RESET_MIDDLEBOX;
                return false;
            }
            return true;
        }
        if (dss.hasDssChecksum() != checksums) {
            // RFC 8684 section 3.3: the checksum field is there exactly when checksums were
            // negotiated; a DSS of the other length is malformed here (Linux: an invalid mapping).
            mib.increment(MibCounter.MPTCP_OPTION_MALFORMED);
            return true;
        }
        long dsn = dss.dsnIs64() ? dss.dsn() : Dsn.expand32To64((int) dss.dsn(), rcv.rcvNxt());
        int dataLen = dss.dataLevelLength() - (dss.dataFin() ? 1 : 0);
        if (dss.dataFin() && dss.subflowSeq() == 0) {
            dataLen = 0; // RFC 8684 section 3.3.3: a DATA_FIN alone, SSN 0
        }
        if (dataLen > 0) {
            Mapping mapping = new Mapping(dsn, s.tcp.irs() + dss.subflowSeq(), dataLen, dss.dssChecksumOrMinusOne(),
                    dss.dataFin());
            if (seg.payloadLength() > 0 && !mapping.covers(seg.seq())) {
                // RFC 8684 section 3.3.1: a segment's mapping covers its data (Linux validate_mapping).
                mib.increment(MibCounter.MPTCP_DSS_NO_MATCH_TCP);
                return true;
            }
            Mapping known = s.addReceivedMapping(mapping);
            if (known != null && !onMappingConflict(s, known, mapping)) {
                return false;
            }
            if (known != null) {
                return true; // neither mapping is trusted: no DATA_FIN from it either
            }
        }
        if (dss.dataFin()) {
            onPeerDataFin(s, dsn + dataLen);
        }
        return true;
    }

    /**
     * Whether an infinite mapping from subflow byte {@code seq} at {@code dsn} is the answer to our
     * MP_FAIL that RFC 8684 section 3.7 describes: we sent one, and it agrees with what we
     * delivered. Everything up to the data-level RCV.NXT was delivered in order on this, the only,
     * subflow (that is what allowed the fallback), from subflow bytes ending where the held mapping
     * (the failed one, or one not complete yet) begins, or else at the subflow's RCV.NXT (the
     * options of a segment come before its payload); any byte maps from there one to one. A middlebox that rewrote
     * the mapping's DSN (no checksum covers it) would have the rest of the connection delivered at
     * the wrong place: it is ignored (counted as DSSNotMatching) and the peer's next segment, which
     * carries it again until we fall back, decides. An infinite mapping we did not ask for (a
     * rewritten data-level length) is ignored too; the data it came with is unmapped.
     */
    private boolean infiniteMappingValid(Subflow s, int seq, long dsn) {
        Mapping held = s.check.mapping();
        int delivered = held != null ? held.subflowSeq() : s.tcp.rcvNxt();
        if (!s.mpFailOriginated || dsn != rcv.rcvNxt() + Seq32.diff(seq, delivered)) {
            mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
            return false;
        }
        return true;
    }

    /**
     * A mapping arrived that contradicts {@code known}, received before on {@code s} for some of the
     * same subflow bytes (RFC 8684 section 3.3.1: a subflow byte has one mapping; Linux counts
     * DSSNotMatching and treats the mapping as invalid). Which of the two a middlebox rewrote
     * cannot be told:
     * <ul>
     * <li>with DSS checksums the known mapping stays: its checksum, which covers the DSN, decides
     *     (section 3.3.1), and a failure takes the MP_FAIL path (section 3.7);</li>
     * <li>else, when another subflow can carry the data, {@code s} is reset with MP_TCPRST
     *     "MPTCP-specific error" (section 3.6; Linux's MPTCP_RST_EMPTCP) and the peer reinjects
     *     what it held (false);</li>
     * <li>else (the only subflow; a reset would end the connection) neither mapping is used: the
     *     bytes they cover arrive unmapped and are dropped ({@link #onUnmappedData}), whatever the
     *     known one already placed out of order at the data level is forgotten (it may sit at the
     *     wrong DSNs; none of it was DATA_ACKed), and the peer's connection-level retransmission
     *     sends the data again under a fresh mapping.</li>
     * </ul>
     */
    private boolean onMappingConflict(Subflow s, Mapping known, Mapping contradicting) {
        mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
        if (known.checksum() >= 0 && checksums) {
            return true;
        }
        if (hasUsableSubflowBesides(s)) {
            s.resetReason = RESET_MPTCP_SPECIFIC;
            return false;
        }
        infiniteFallbackAllowed = false; // what follows is no longer contiguous at the data level
        s.forgetReceivedMapping(known, contradicting);
        if (rcv != null) {
            rcv.discardOutOfOrder();
        }
        return true;
    }

    private boolean hasUsableSubflowBesides(Subflow s) {
        for (Subflow o : subflows) {
            if (o != s && o.usable()) {
                return true;
            }
        }
        return false;
    }

    /** A DATA_ACK with the window the segment advertised (RFC 8684 sections 3.3.2 and 3.3.5). */
    private void onDataAck(Subflow from, long ack, long window) {
        long limit = snd.nxt() + (dataFinSent() ? 1 : 0);
        if (Dsn.gt(ack, limit)) {
            mib.increment(MibCounter.MPTCP_DATA_ACK_TOO_NEW);
            return; // acknowledges data never sent: ignored (RFC 8684 section 3.3.2; as Linux)
        }
        boolean wasFull = windowClosed();
        int acked = snd.acknowledge(ack);
        if (acked > 0) {
            partialSegments.acknowledge(snd.una());
            for (Subflow s : subflows) {
                s.pruneSent(snd.una());
            }
            pruneReinject();
            retransmitBackoff = 0;
            retransmitDeadline = Nanos.NEVER;
            lastDataAckInNanos = now;
            armRetransmitTimer();
            host.rearm(this);
        }
        checkStale();
        if (Dsn.ge(ack, snd.una())) {
            maxSndWindow = Math.max(maxSndWindow, window);
            long right = ack + window;
            if (Dsn.gt(right, sndWndEnd)) {
                sndWndEnd = right;
                shareSendWindow(from);
            }
        }
        boolean closed = windowClosed();
        if (wasFull && !closed) {
            // Room for a full segment again, from the right edge or from short segments DATA_ACKed:
            // every subflow may take some, not only the one this DATA_ACK came on.
            windowProbeDeadline = Nanos.NEVER;
            windowProbes = 0;
            host.rearm(this);
            kick();
        }
        if (snd.unmapped() > 0 && closed) {
            armWindowProbe();
        }
        if (dataFinSent() && !dataFinAcked && ack == snd.end() + 1) {
            dataFinAcked = true;
            dataFinDeadline = Nanos.NEVER;
            host.rearm(this);
            maybeCloseSubflows();
        }
        tuneSendBuffer();
        if (acked > 0) {
            releaseSent(from);
        }
    }

    /** {@code s}'s peer acknowledged bytes of its queue: data DATA_ACKed earlier may go now. */
    void onSubflowReleased(Subflow s) {
        if (snd.heldAcked() > 0) {
            releaseSent(s);
        }
    }

    /**
     * Lets the connection-level buffer go of the bytes DATA_ACKed that no subflow may still send
     * (a subflow's TCP retransmits what its own peer has not acknowledged, though the data level
     * has it through another subflow). A subflow in retransmission backoff may hold such bytes for
     * minutes on a path that is gone, and with them all the buffer above them: it takes a copy of
     * its queue instead, and the application writes on. Not {@code arriving}, the subflow whose
     * segment is being processed: TCP handles its ACK after the options, and resets its backoff
     * only after releasing what that ACK covers.
     */
    private void releaseSent(Subflow arriving) {
        long low = lowestNeeded();
        if (mode == Mode.MPTCP && Dsn.lt(low, snd.una())) {
            boolean copied = false;
            for (Subflow s : subflows) {
                if (s != arriving && s.queue != null && (s.stale || s.tcp.consecutiveRtos() > 0)
                        && Dsn.lt(s.queue.lowestNeeded(snd.una()), snd.una())) {
                    s.queue.materialise();
                    copied = true;
                }
            }
            if (copied) {
                low = lowestNeeded();
            }
        }
        if (snd.release(low) > 0 && writeBlocked && snd.freeSpace() > 0) {
            writeBlocked = false;
            host.onWritable(this);
        }
    }

    /**
     * The lowest DSN a subflow's queue references, at most the DATA_ACK. It runs for every DATA_ACK
     * and every ACK that frees a subflow's queue; mostly the subflow that held the front last time
     * still does, and then nothing can go and the other subflows are not looked at.
     */
    private long lowestNeeded() {
        long front = snd.front();
        if (frontHolder != null && frontHolder.queue != null && frontHolder.queue.lowestNeeded(snd.una()) == front) {
            return front;
        }
        frontHolder = null;
        long low = snd.una();
        for (Subflow s : subflows) {
            if (s.queue != null) {
                low = s.queue.lowestNeeded(low);
                if (low == front) {
                    frontHolder = s; // nothing is held below the front: the others cannot lower it
                    break;
                }
            }
        }
        return low;
    }

    /**
     * Send-buffer tuning, as Linux sizes the MPTCP socket's {@code sk_sndbuf} from its subflows'
     * ({@code __mptcp_sync_sndbuf}: the sum of the subflows' {@code sk_sndbuf}, each grown by
     * {@code tcp_sndbuf_expand} to about twice its congestion window and at most
     * {@code tcp_wmem[2]}): twice the subflows' summed congestion windows, at least
     * {@link #MIN_SEND_BUFFER_BYTES}, at most the stack's send buffer (its {@code tcp_wmem[2]})
     * for each subflow. It only grows. Without it a program that writes a few megabytes and closes
     * would have them all buffered before a second subflow joins, and joins after the DATA_FIN are
     * refused.
     *
     * <p>The sender holds every byte until the DATA_ACK covers it, and that waits for the slowest
     * path: the buffer the paper's section 4.1 asks of the receiver, {@code 2 * sum(BW_i) *
     * RTT_max}, the sender needs too. Summed windows alone ({@code sum(BW_i * RTT_i)}) fall far
     * short of it when one path's RTT is much longer than the other's: with 100-packet queues and
     * path B 100 ms longer (the paper's Fig. 6), the fast path waited on a full send buffer and the
     * connection moved 28 Mbit/s where TCP over path A alone moved 96. BW_i is the subflow's
     * window over its smoothed RTT.
     *
     * <p>The cap grows with the subflows as Linux's does ({@code <nr_subflows> * tcp wmem[2]}): two
     * 1 Gbit/s paths whose tbf queues hold 20 ms need about 4.7 MB unacknowledged at the data level,
     * more than one subflow's 4 MiB, and a connection capped there moved 1.3-1.5 Gbit/s where the
     * kernel moved 1.88 (docs/benchmarks/net.md).
     */
    private void tuneSendBuffer() {
        long windows = 0;
        double rate = 0;
        long rttMax = 0;
        for (Subflow s : subflows) {
            long cwnd = s.tcp.cwndBytes();
            long srtt = s.tcp.srttNanos();
            windows += cwnd;
            if (srtt > 0) {
                rate += s.sendRate(cwnd, srtt);
                rttMax = Math.max(rttMax, srtt);
            }
        }
        long target = Math.max(MIN_SEND_BUFFER_BYTES, 2 * Math.max(windows, (long) (rate * rttMax)));
        target = Math.min(target, (long) sendBufferPerSubflow * Math.max(1, subflows.size()));
        if (target > snd.limit()) {
            snd.setLimit((int) Math.min(target, Integer.MAX_VALUE));
        }
    }

    private boolean dataFinSent() {
        return dataFinQueued && snd.unmapped() == 0;
    }

    /** In-order subflow payload, mapped to {@code dsn}. */
    void onData(Subflow s, long nowNanos, long dsn, ByteBuffer data) {
        if (rcv == null) {
            return;
        }
        if (tuner != null) {
            tuneReceiveBuffer(s, nowNanos, data.remaining());
        }
        rcvMss = Math.max(rcvMss, s.tcp.receiveMss());
        DataReceiveQueue.Outcome o = rcv.accept(dsn, data);
        switch (o) {
            case DUPLICATE -> mib.increment(MibCounter.MPTCP_DUPLICATE_DATA);
            case BEYOND_WINDOW -> {
                mib.increment(MibCounter.MPTCP_NO_DSS_IN_WINDOW);
                if (rcv.readable() == 0) {
                    refused(s, nowNanos); // the window is all open, and still the data falls outside it
                }
            }
            case CONFLICT -> {
                // Other bytes than those held for the same DSNs: a mapping, this one's or an
                // earlier one's, was rewritten (RFC 8684 section 3.3.1). Neither copy is trusted:
                // what is held out of order goes too (none of it was DATA_ACKed), and the peer's
                // connection-level retransmission sends it again.
                mib.increment(MibCounter.MPTCP_DSS_NOT_MATCHING);
                infiniteFallbackAllowed = false;
                rcv.discardOutOfOrder();
                refused(s, nowNanos);
            }
            case OUT_OF_ORDER -> mib.increment(MibCounter.MPTCP_OFO_QUEUE);
            case IN_ORDER -> {
                lastDataInNanos = nowNanos;
                unmappedDropped = 0;
                refusedWithoutProgress = 0;
                checkPeerDataFin();
                if (!readableSignaled && !appClosed) {
                    readableSignaled = true;
                    host.onReadable(this);
                }
            }
        }
    }

    /**
     * Payload no mapping covers (RFC 8684 section 3.7). When the segment carried no MPTCP option
     * at all (the peer fell back, or a middlebox stripped the options): the connection falls back
     * to TCP on the only subflow there ever was if everything it carried so far went to the data
     * level one to one from the IDSN (the infinite mapping from here is what the peer's data
     * already was; the peer, if it did not fall back itself, follows when our ACKs come without
     * options: {@link #onPeerFellBack}); else the subflow is reset with MP_TCPRST "middlebox
     * interference" (as Linux). When the segment had MPTCP options but no valid mapping for these
     * bytes (lost, contradicted or refused): with another subflow, this one is reset likewise; on
     * the only one, where a reset would end the connection, the bytes are dropped and counted, and
     * the peer's connection-level retransmission sends them again under a fresh mapping. More of
     * them than the receive buffer holds without progress means the options are gone for good
     * (section 3.7: "detected by the subflow-level receive buffer filling up"): the subflow is reset.
     */
    void onUnmappedData(Subflow s, long nowNanos, int seq, ByteBuffer data) {
        boolean optionless = !s.lastDataHadOptions && Seq32.lt(seq, s.lastDataEnd);
        if (mode == Mode.MPTCP && optionless && canFallBackInfinite(s) && contiguous(s, seq)) {
            boolean first = rcv == null || rcv.rcvNxt() == remoteIdsn + 1;
            mib.increment(first ? MibCounter.MPTCP_CAPABLE_DATA_FALLBACK : MibCounter.MPTCP_DSS_FALLBACK);
            fallBackInfinite(s, seq, rcv == null ? 0 : rcv.rcvNxt());
            s.onDataReceived(s.tcp, nowNanos, seq, data);
            return;
        }
        mib.increment(MibCounter.MPTCP_DATA_UNMAPPED);
        if (mode == Mode.MPTCP && !optionless && !hasUsableSubflowBesides(s)) {
            infiniteFallbackAllowed = false; // the data level now has a hole the peer fills out of order
            unmappedDropped += data.remaining();
            if (unmappedDropped <= failHoldLimit()) {
                refused(s, nowNanos);
                return;
            }
        }
        s.resetReason = RESET_MIDDLEBOX;
        s.tcp.abort(nowNanos);
    }

    /**
     * One more segment refused without progress ({@link #refusedWithoutProgress}); too many reset
     * {@code s} with MP_TCPRST "middlebox interference" (RFC 8684 section 3.7: a subflow that can
     * deliver nothing "SHOULD be treated as broken and closed with a RST").
     */
    private void refused(Subflow s, long nowNanos) {
        if (++refusedWithoutProgress > MAX_REFUSED && s.tcp.state().isSynchronized()) {
            refusedWithoutProgress = 0;
            resetForMiddlebox(s, nowNanos);
        }
    }

    /** Every subflow byte before {@code seq} went to the data level in order, one to one from the IDSN. */
    private boolean contiguous(Subflow s, int seq) {
        if (rcv == null) {
            return seq == s.tcp.irs() + 1;
        }
        return rcv.outOfOrderBytes() == 0 && Seq32.diff(seq, s.tcp.irs() + 1) == rcv.rcvNxt() - (remoteIdsn + 1);
    }

    /**
     * The peer's DATA_FIN at {@code finDsn}. Until the data before it is all in, a later DATA_FIN
     * replaces an earlier one (as Linux prefers the most recent): the peer resends it until it is
     * DATA_ACKed, so one whose DSN a middlebox rewrote (no checksum covers a DATA_FIN without
     * data when checksums are off) is corrected by the next. One below what was already received
     * cannot be true and is ignored.
     */
    private void onPeerDataFin(Subflow s, long finDsn) {
        if (!peerDataFinReceived && rcv != null && Dsn.ge(finDsn, rcv.rcvNxt())) {
            peerDataFinSeen = true;
            peerDataFinDsn = finDsn;
        }
        checkPeerDataFin();
        if (!closeSubflowsPending) {
            s.tcp.requestAck(); // a retransmitted DATA_FIN too: our DATA_ACK for it may have been lost
        }
    }

    private void checkPeerDataFin() {
        if (peerDataFinSeen && !peerDataFinReceived && rcv != null && rcv.rcvNxt() == peerDataFinDsn) {
            peerDataFinReceived = true;
            host.onPeerClosed(this);
            if (!readableSignaled) {
                readableSignaled = true;
                host.onReadable(this);
            }
            maybeCloseSubflows();
            // DATA_ACK the DATA_FIN everywhere. Subflows about to close carry it on their FINs; but
            // subflows that closed earlier (we closed and our DATA_FIN was acknowledged first) sent
            // their FINs already, and a pure DATA_FIN is not something TCP acknowledges by itself:
            // without this ACK the peer would never learn of it and never close its subflows.
            if (!closeSubflowsPending) {
                for (Subflow s : subflows) {
                    requestAck(s);
                }
            }
        }
    }

    // ====================================================================== the send path

    /**
     * False only when {@link #pull} would surely give no subflow anything: no data waits for a
     * mapping or a reinjection, everything sent is acknowledged at the data level (so no
     * opportunistic or redundant copy either), and no DATA_FIN is queued. The subflows' staleness,
     * which each pull looks at too, each DATA_ACK received looks at as well.
     */
    boolean mayHaveDataToSend() {
        return snd.unmapped() > 0 || !reinject.isEmpty() || snd.una() != snd.nxt() || dataFinQueued;
    }

    /**
     * {@code s}'s windows let {@code maxBytes} out and it has nothing queued: the scheduler decides
     * whether it carries the next data (paper section 4.2: subflows pull from the connection-level
     * buffer when an ACK opens their window). Returns the bytes handed to it.
     */
    int pull(Subflow s, long nowNanos, int maxBytes) {
        if (mode == Mode.PLAIN || !s.usable() && mode == Mode.MPTCP || error != null) {
            return 0;
        }
        checkStale();
        if (mode == Mode.MPTCP && s.stale && hasFreshSubflowBesides(s)) {
            return 0; // a stale subflow carries nothing new while another can (Linux skips it)
        }
        long[] range = reinject.isEmpty() ? null : reinject.get(0);
        if (range != null && range.length < 3
                && (s.holdsDsn(range[0]) || !scheduler.mayReinjectOn(s, usableSubflows()))) {
            // A reinjection goes on another subflow than the one that has it already, and one the
            // scheduler allows (handover keeps it off the standby while the primary works).
            range = null;
        }
        boolean copies = mode == Mode.MPTCP && range == null && scheduler.sendsOnEverySubflow();
        long copyFrom = copies ? Dsn.max(s.carriedTo, snd.una()) : 0;
        boolean copy = copies && Dsn.lt(copyFrom, snd.nxt());
        int avail = range != null ? (int) (range[1] - range[0]) : copy ? (int) (snd.nxt() - copyFrom) : snd.unmapped();
        boolean opportunistic = false;
        if (avail <= 0) {
            range = opportunisticRange(s, false, maxBytes, nowNanos);
            if (range == null) {
                return 0;
            }
            avail = (int) (range[1] - range[0]);
            opportunistic = true;
        }
        List<Subflow> usable = null;
        int turn = Integer.MAX_VALUE;
        int mss = s.tcp.dataMss();
        if (mode == Mode.MPTCP && range == null) {
            usable = usableSubflows();
            if (copies) {
                // Backups carry copies only when all are backups; new data needs the peer's window.
                if (s.isBackup() && !MinRttScheduler.allBackup(usable) || !copy && !windowHasRoom()) {
                    return 0;
                }
            } else if (windowFull(mss)) {
                // The peer's window is full: the left edge a slower subflow holds goes again on
                // this one when the policy says so (opportunistic retransmission), else a probe waits.
                range = opportunisticRange(s, true, maxBytes, nowNanos);
                if (range == null) {
                    armWindowProbe();
                    return 0;
                }
                avail = (int) (range[1] - range[0]);
                opportunistic = true;
            } else if (!mayTakeNewData(s, usable)) {
                return 0;
            }
            if (!copy && !opportunistic) {
                avail = (int) Math.min(avail, windowRoom());
                turn = scheduler.turnBytes(s);
            }
        }
        int cap = Math.max(MAX_MAPPING_BYTES / mss * mss, 1);
        // A subflow takes a little more than its window lets out now (what is left waits in its own
        // queue): fewer, larger mappings, as Linux maps whole send-queue fragments.
        int n = Math.min(Math.min(avail, Math.max(maxBytes, PULL_SEGMENTS * mss)), cap);
        // ...but never more than the subflow's send queue has room for: bytes mapped but not queued
        // would leave a data-level hole nothing ever fills.
        n = Math.min(n, s.tcp.sendSpace());
        boolean fresh = mode == Mode.MPTCP && range == null && !copy;
        if (fresh && (n < snd.unmapped() || moreToWrite())) {
            n = wholeSegments(n, mss);
        }
        n = Math.min(n, turn); // a round-robin turn ends where it ends
        if (n <= 0) {
            return 0;
        }
        long dsn;
        if (range != null) {
            dsn = range[0];
            range[0] += n;
            if (range[0] >= range[1] || opportunistic) {
                reinject.remove(0); // an opportunistic copy is what goes now, no more
            }
            mib.increment(opportunistic ? MibCounter.MPTCP_OPPORTUNISTIC_RETRANS : MibCounter.MPTCP_RETRANS);
            bytesReinjected += n;
            reinjections++;
        } else if (copy) {
            dsn = copyFrom;
            s.carriedTo = dsn + n;
        } else {
            dsn = snd.take(n);
            s.carriedTo = dsn + n;
            scheduler.onMapped(s, dsn, n);
            if (fresh) {
                partialSegments.add(dsn + n, Math.floorMod(-n, mss));
            }
        }
        if (schedulerTrace != null) {
            traceDecision(s, usable, range != null ? SchedulerTrace.Kind.REINJECT
                    : copy ? SchedulerTrace.Kind.COPY : SchedulerTrace.Kind.NEW, dsn, n, s,
                    range != null ? "reinject" : copies ? (copy ? "copy" : "first-copy")
                    : usable == null || usable.size() <= 1 ? "only-subflow" : scheduler.reason());
        }
        mapOnto(s, dsn, n);
        if (snd.unmapped() == 0 && dataFinQueued) {
            signalDataFin();
        }
        if (copies) {
            kick(); // the others copy what this one just took
        } else if (mode == Mode.MPTCP && snd.unmapped() > 0) {
            // More is waiting: the scheduler's next choice is asked to pull now, or a subflow whose
            // window opened while another was pulling would wait for an event of its own forever.
            // Mapping changed no subflow's usability: the list the scheduler was asked with still holds.
            List<Subflow> others = usable != null ? usable : usableSubflows();
            if (others.size() > 1) {
                Subflow next = scheduler.select(others, sendState);
                if (next != null && next != s) {
                    host.wake(next);
                }
            }
        }
        return n;
    }

    /**
     * Whether {@code s}, whose windows opened, takes new data now: the connection-level window has
     * room and, among several subflows, the scheduler chose it. Another choice is woken to pull;
     * none means everyone waits (the regular subflows are at their congestion window and this one
     * is a backup, which waits as in Linux; or BLEST or ECF wait for the fast subflow).
     */
    private boolean mayTakeNewData(Subflow s, List<Subflow> usable) {
        if (!windowHasRoom()) {
            return false;
        }
        if (usable.size() <= 1) {
            return true;
        }
        Subflow best = scheduler.select(usable, sendState);
        if (best == s) {
            return true;
        }
        if (best != null) {
            host.wake(best);
        } else if (schedulerTrace != null) {
            traceDecision(s, usable, SchedulerTrace.Kind.WAIT, snd.nxt(), 0, null, scheduler.reason());
        }
        return false;
    }

    /**
     * Of {@code n} bytes cut by the windows or the subflow's queue while more wait, or while the
     * application has more to write, the full segments: every segment of the mapping but the last
     * is full anyway, and a short last one costs a Linux receiver the memory of a full one
     * ({@link PartialSegments}). RFC 9293 section 3.8.6.2.1's sender-side silly window syndrome
     * avoidance, at the data level; Linux's {@code tcp_mss_split_point} too cuts at a full segment
     * when the window ends within one, under Nagle's algorithm (on by default there).
     */
    private int wholeSegments(int n, int mss) {
        int whole = n - n % mss;
        if (whole > 0) {
            return whole;
        }
        // Less than a segment: a window that small passed windowFull only because it is at least
        // half the largest the peer offered, and then it goes (RFC 9293's fraction Fs); cut by
        // the subflow's queue or by the application's next write, it waits while a DATA_ACK is due.
        return windowRoom() < mss || snd.una() == snd.nxt() ? n : 0;
    }

    /**
     * Whether the application has more to write than the send buffer took at its last write: what
     * it writes once a DATA_ACK frees room continues the bytes waiting now, and their last short
     * piece had better wait to become part of a full segment (Linux's autocorking and
     * {@code MSG_MORE} hold it similarly).
     */
    private boolean moreToWrite() {
        return writeShort && !dataFinQueued;
    }

    /**
     * Whether the peer's data-level window lets out no more new data now: no room at all, or less
     * than a full segment and less than half the largest window the peer offered (RFC 9293 section
     * 3.8.6.2.1: the sender waits for the window to open further, its update or a probe's answer).
     */
    private boolean windowFull(int mss) {
        long room = windowRoom();
        return room <= 0 || room < mss && room < maxSndWindow / 2;
    }

    /**
     * The peer's data-level window beyond what was sent, less what the short segments not yet
     * DATA_ACKed cost it beyond their bytes ({@link PartialSegments}).
     */
    private long windowRoom() {
        return sndWndEnd - snd.nxt() - partialSegments.bytes();
    }

    /** Whether the peer's connection-level window has room beyond what was sent; if not, it is probed. */
    private boolean windowHasRoom() {
        if (windowRoom() <= 0) {
            armWindowProbe();
            return false;
        }
        return true;
    }

    /** Hands {@code n} bytes at {@code dsn} to {@code s}: its queue references them in {@link #snd} through a mapping. */
    private void mapOnto(Subflow s, long dsn, int n) {
        int seq = s.tcp.appendSeq();
        int csum = -1;
        if (checksums) {
            if (scratch.length < n) {
                scratch = new byte[Math.max(n, 65536)];
            }
            ByteBuffer data = ByteBuffer.wrap(scratch, 0, n);
            snd.copy(dsn, n, data, 0);
            csum = MptcpCrypto.dssChecksum(dsn, s.relativeSeq(seq), n, data);
        }
        MappedSendQueue queue = s.sendQueue(snd);
        s.addSent(new Mapping(dsn, seq, n, csum));
        queue.appendMapped(n);
        s.bytesMappedOut += n;
        lastDataOutNanos = now;
        armRetransmitTimer();
    }

    private void traceDecision(Subflow asking, List<Subflow> usable, SchedulerTrace.Kind kind, long dsn, int n,
            Subflow chosen, String reason) {
        List<Subflow> seen = usable != null ? usable : usableSubflows();
        List<SchedulerTrace.Candidate> cs = new ArrayList<>(seen.size());
        for (Subflow c : seen) {
            cs.add(SchedulerTrace.Candidate.of(c));
        }
        schedulerTrace.onDecision(new SchedulerTrace.Decision(now, ownerId, scheduler.name(), kind,
                dsn - (localIdsn + 1), n, seen.indexOf(chosen), seen.indexOf(asking), reason, cs));
    }

    /**
     * What {@code s}, which could send but has no new data it may send, sends again (the
     * {@link Penalizer}), queued first for reinjection; null for nothing. {@code windowLimited}:
     * the peer's window blocks it (the paper's kernel then also penalizes the slower subflow that
     * holds the window's left edge). Otherwise nothing new is waiting: only once the application
     * closed, at the end of a transfer; while it may still write, a send buffer drained for a
     * moment would send on the fast path copies of what the slow one carries, in place of new data.
     * Kept out of {@link #pull}, whose size decides whether the JIT inlines it.
     */
    private long[] opportunisticRange(Subflow s, boolean windowLimited, int maxBytes, long nowNanos) {
        if (mode != Mode.MPTCP || !penalizer.enabled() || subflows.size() < 2 || !windowLimited && !dataFinQueued) {
            return null;
        }
        long[] range = windowLimited
                ? penalizer.onWindowLimited(s, subflows, snd.una(), snd.nxt(), maxBytes, nowNanos)
                : penalizer.onIdle(s, subflows, snd.una(), snd.nxt(), maxBytes);
        if (range != null) {
            reinject.add(0, range); // taken like any reinjection, counted apart
        }
        return range;
    }

    /**
     * The subflows the scheduler chooses among: the usable ones, less the stale ones while a fresh
     * one is left. When that is every subflow (the usual case) it is a read-only view of
     * {@link #subflows}, not a copy: it runs a few times per mapping, and a list built each time
     * cost more the more subflows there were. Valid for the call it is passed to.
     */
    List<Subflow> usableSubflows() {
        boolean all = true;
        for (Subflow s : subflows) {
            if (s.stale || !s.usable()) {
                all = false;
                break;
            }
        }
        if (all) {
            return subflowsView;
        }
        List<Subflow> out = new ArrayList<>(subflows.size());
        boolean fresh = false;
        for (Subflow s : subflows) {
            if (s.usable()) {
                out.add(s);
                fresh |= !s.stale;
            }
        }
        if (fresh) {
            out.removeIf(s -> s.stale);
        }
        return out;
    }

    private boolean hasFreshSubflowBesides(Subflow s) {
        for (Subflow o : subflows) {
            if (o != s && o.usable() && !o.stale) {
                return true;
            }
        }
        return false;
    }

    /** New data or window: every usable subflow is polled (the scheduler picks among those that pull). */
    private void kick() {
        for (Subflow s : subflows) {
            if (s.usable()) {
                host.wake(s);
            }
        }
    }

    void requestAck(Subflow s) {
        if (s.tcp != null) {
            s.tcp.requestAck();
            host.wake(s);
        }
    }

    /**
     * A pure ACK on {@code s} at once, before its data (Linux {@code mptcp_pm_send_ack}): for
     * options only a pure ACK carries (ADD_ADDR and its echo, REMOVE_ADDR).
     */
    void sendPureAck(Subflow s) {
        if (s.tcp != null) {
            s.tcp.sendPureAck(now);
            host.wake(s);
        }
    }

    /** The subflow failed: its data not yet DATA_ACKed goes again on the others (RFC 8684 section 3.3.6). */
    private void reinjectFrom(Subflow s) {
        reinjectUnacked(s);
        s.clearSent();
    }

    /**
     * {@code s}'s data not yet DATA_ACKed goes again on the others; {@code s} keeps its mappings,
     * which its own retransmissions still carry.
     */
    private void reinjectUnacked(Subflow s) {
        for (Mapping m : s.sent) {
            long start = Dsn.max(m.dsn(), snd.una());
            long end = m.dsn() + m.length();
            if (Dsn.lt(start, end) && !queuedForReinjection(start, end)) {
                reinject.add(new long[] {start, end});
            }
        }
        reinject.sort((a, b) -> Long.compareUnsigned(a[0] - snd.una(), b[0] - snd.una()));
        if (!reinject.isEmpty()) {
            kick();
        }
    }

    private boolean queuedForReinjection(long start, long end) {
        for (long[] r : reinject) {
            if (r.length < 3 && Dsn.le(r[0], start) && Dsn.le(end, r[1])) {
                return true;
            }
        }
        return false;
    }

    /**
     * A subflow's timers ran. On its first retransmission timeout, if it holds the first byte not
     * yet DATA_ACKed and another subflow is fresh, what it holds goes on the others at once, as the
     * paper's kernel reinjects on a subflow's RTO: the path may be gone, and the connection-level
     * timer, restarted by every DATA_ACK still arriving from before the failure, could take one more
     * RTO. A backup standing by takes over one RTO after the primary's last ACK (or after its tail
     * loss probe, when one went first) and a round trip (fast handover); the receiver drops
     * whichever copy comes second. Only the first timeout in a row acts: the data is queued then.
     *
     * <p>When the application waits for room and everything sent is DATA_ACKed, the same timeout
     * lets the send buffer go of the bytes the subflow holds that the peer has DATA_ACKed through
     * another subflow ({@link #releaseSent}: a subflow in backoff copies its queue). Otherwise the
     * next DATA_ACK does that, but here none will come: a subflow that lags behind the others
     * (redundant scheduling sends every byte on each, the slower path's copies trail) can hold so
     * much that the application's writes are blocked with nothing left in flight: with the
     * HyStart++ rounds of 4760fe4, {@code MptcpSchedulerTest}'s redundant case (path 1 cut, seed
     * 12) had the cut path's subflow 850 KB behind the other, holding 1 MB the peer had
     * DATA_ACKed, and went 0.48 s without new data, until the connection-level timer (0.13 s with
     * this). With data in flight the next DATA_ACK still decides, so a path that comes back
     * before it retransmits those bytes by reference ({@code MptcpHeldOnceTest}).
     */
    public void onSubflowTimers(TcpConnection tcp) {
        if (mode != Mode.MPTCP || error != null || tcp.consecutiveRtos() != 1) {
            return;
        }
        Subflow s = subflowOf(tcp);
        if (s != null && s.holdsDsn(snd.una()) && hasFreshSubflowBesides(s)) {
            reinjectUnacked(s);
        }
        if (s != null && writeBlocked && snd.heldAcked() > 0 && snd.nxt() == snd.una()) {
            releaseSent(null);
        }
    }

    private void pruneReinject() {
        if (reinject.isEmpty()) {
            return; // the usual case, at every DATA_ACK: no lambda to allocate
        }
        long una = snd.una();
        reinject.removeIf(r -> Dsn.le(r[1], una));
        for (long[] r : reinject) {
            r[0] = Dsn.max(r[0], una);
        }
    }

    /**
     * The peer's connection-level window is closed with data waiting: probe it after an RTO, backing
     * off (RFC 9293 3.8.6.1 at the data level), so that a lost window update cannot stall us.
     */
    private void armWindowProbe() {
        if (windowProbeDeadline != Nanos.NEVER) {
            return;
        }
        windowProbeDeadline = now + (maxSubflowRto() << Math.min(windowProbes, 8));
        host.rearm(this);
    }

    /**
     * Whether no usable subflow may send into the peer's window ({@link #windowFull}): what is left
     * may also be a sliver the window scale rounds to zero in the subflows' headers.
     */
    private boolean windowClosed() {
        long room = windowRoom();
        if (room > 0xFFFF) {
            return false; // no MSS exceeds an IP packet
        }
        // Room for one usable subflow's segment is room for the smallest: the first one usually says so.
        boolean anyUsable = false;
        for (Subflow s : subflows) {
            if (s.usable()) {
                if (!windowFull(s.tcp.dataMss())) {
                    return false;
                }
                anyUsable = true;
            }
        }
        return anyUsable || room < 1;
    }

    private long windowProbeDeadline = Nanos.NEVER;
    private int windowProbes;

    /**
     * The largest RTO of the usable subflows whose retransmission timer has not fired since their
     * last progress: one that lost its path backs its RTO off again and again, and the
     * connection-level timers (DATA_FIN, data retransmission, window probe) would wait with it.
     */
    private long maxSubflowRto() {
        long rto = Nanos.ofMillis(200);
        for (Subflow s : subflows) {
            if (s.usable() && !s.stale && s.tcp.consecutiveRtos() == 0) {
                rto = Math.max(rto, s.tcp.rtoNanos());
            }
        }
        return Math.min(rto, Nanos.ofSeconds(60));
    }

    /**
     * The window is the connection's (RFC 8684 section 3.3.5), but each subflow's TCP keeps its own
     * SND.WND, learnt from the ACKs on that subflow: one that went idle while the window was small
     * keeps that small window, gets no ACK to update it, and is never scheduled again (the slow path
     * of the paper's Fig. 6 with a fixed 4 MB buffer carried nothing after its first seconds). As
     * Linux does ({@code mptcp_check_allowed_size}, counted as SndWndShared), the other subflows'
     * windows are raised to what the connection-level window now lets them send: their own data in
     * flight plus the room beyond SND.NXT at the data level.
     */
    private void shareSendWindow(Subflow from) {
        long room = sndWndEnd - snd.nxt();
        if (room <= 0) {
            return;
        }
        for (Subflow s : subflows) {
            if (s != from && s.usable() && s.tcp.shareSendWindow(room)) {
                mib.increment(MibCounter.MPTCP_SND_WND_SHARED);
                host.wake(s);
            }
        }
    }

    // ====================================================================== connection-level retransmission

    /**
     * Data written is not all DATA_ACKed, or a subflow still holds some that is: the timer runs (if
     * it does not already).
     */
    private void armRetransmitTimer() {
        if (retransmitDeadline != Nanos.NEVER || snd.front() == snd.end() || mode != Mode.MPTCP) {
            return;
        }
        retransmitDeadline = now + Math.min(maxSubflowRto() << Math.min(retransmitBackoff, 6), Nanos.ofSeconds(60));
        host.rearm(this);
    }

    /**
     * No DATA_ACK advanced for a subflow RTO (Linux {@code mptcp_retransmit_timer} and
     * {@code __mptcp_retrans}): the subflow holding the earliest data not DATA_ACKed may have lost
     * its path, and its own TCP would retry there for many minutes. What it holds unacknowledged at
     * the data level is reinjected onto the others (RFC 8684 section 3.3.6: "data ... MAY be sent
     * on any subflow"); the receiver drops whichever copy comes second (MPTcpExtDuplicateData).
     * Data not yet mapped may be waiting for the subflow that lost its path: every subflow is
     * asked again, once stale ones are known.
     */
    private void onRetransmitTimeout() {
        if (mode != Mode.MPTCP || error != null) {
            return;
        }
        releaseSent(null); // a subflow backing off since the last DATA_ACK lets go of what is DATA_ACKed
        if (snd.una() == snd.end()) {
            armRetransmitTimer(); // all DATA_ACKed, but a subflow may still hold some
            return;
        }
        checkStale();
        Subflow holder = null;
        for (Subflow s : subflows) {
            if (s.holdsDsn(snd.una()) && (holder == null || s.tcp.consecutiveRtos() > holder.tcp.consecutiveRtos())) {
                holder = s;
            }
        }
        // What an earlier timeout queued for reinjection did not move the DATA_ACK for a whole
        // RTO: decided again. It may be waiting for a subflow that has lost its path, the only one
        // besides its holder, and would keep this holder's own data from being reinjected.
        if (holder != null && hasFreshSubflowBesides(holder)) {
            reinject.clear();
            reinjectUnacked(holder);
        } else if (holder != null && holder.usable() && holder.deliveredDsn(snd.una())) {
            // No other subflow, and the holder's peer acknowledged the subflow bytes that carried
            // the first data not DATA_ACKed: the receiver took them but could not place them (their
            // mapping was stripped or rewritten, or fell outside its window). As Linux's
            // __mptcp_retrans, they go again on the same subflow under a fresh mapping (RFC 8684
            // section 3.3.6). The data level is no longer contiguous on this subflow: no fallback
            // to TCP any more (section 3.7; Linux clears allow_infinite_fallback here too).
            reinject.clear();
            reinject.add(new long[] {snd.una(), Math.min(snd.nxt(), snd.una() + MAX_MAPPING_BYTES), SAME_SUBFLOW});
            infiniteFallbackAllowed = false;
            host.wake(holder);
        }
        retransmitBackoff++;
        armRetransmitTimer();
        kick();
    }

    /**
     * A subflow whose retransmission timer fired {@link #STALE_LOSS_COUNT} times in a row becomes
     * stale while another usable subflow is not losing as much (Linux
     * {@code mptcp_pm_subflows_chk_stale}): the scheduler leaves it out, and what it holds not yet
     * DATA_ACKed goes on the others. A segment received on it makes it fresh again.
     */
    private void checkStale() {
        for (Subflow s : subflows) {
            // Runs per DATA_ACK and per pull: the test that almost always holds goes first.
            if (s.tcp == null || s.tcp.consecutiveRtos() < STALE_LOSS_COUNT || s.stale || !s.usable()) {
                continue;
            }
            for (Subflow o : subflows) {
                if (o != s && o.usable() && !o.stale && o.tcp.consecutiveRtos() < Math.max(STALE_LOSS_COUNT - 1, 1)) {
                    s.stale = true;
                    mib.increment(MibCounter.MPTCP_SUBFLOW_STALE);
                    reinjectUnacked(s);
                    break;
                }
            }
        }
    }

    private void onSubflowRecovered(Subflow s) {
        s.stale = false;
        mib.increment(MibCounter.MPTCP_SUBFLOW_RECOVER);
        if (config.recreation().enabled() && dataAckedHeldBytes(s) >= TOO_MUCH_OUTSTANDING_BYTES && otherUsable(s)) {
            // RFC 8684 section 3.6, "too much outstanding data": "a path has been unavailable for a
            // short period and it is more efficient to reset and start again than it is to
            // retransmit the queued data", data the other subflows delivered meanwhile. Transient:
            // the path works; a fresh subflow (SubflowRecreation) takes only new data. Reset once
            // the segment in hand is through (afterInput), as a REMOVE_ADDR's subflows are.
            tooMuchOutstanding.add(s);
        }
        kick();
    }

    /**
     * What a subflow whose path comes back still has to retransmit of data already DATA_ACKed
     * through the others, at least this much, makes it reset rather than retransmit (64 KiB: a
     * few round trips' worth on the slow start a fresh subflow would begin with).
     */
    static final long TOO_MUCH_OUTSTANDING_BYTES = 64 * 1024;

    /**
     * Bytes {@code s}'s peer has not acknowledged on it that a DATA_ACK covers already: what it has
     * outstanding, less what of its mappings the DATA_ACK does not cover yet. (A subflow that backed
     * off let go of the mappings DATA_ACKed; its TCP keeps their bytes.)
     */
    private long dataAckedHeldBytes(Subflow s) {
        long outstanding = Integer.toUnsignedLong(Seq32.diff(s.tcp.sndNxt(), s.tcp.sndUna()));
        long notDataAcked = 0;
        for (Mapping m : s.sent) {
            long end = m.dsn() + m.length();
            if (Dsn.lt(snd.una(), end)) {
                notDataAcked += Dsn.lt(m.dsn(), snd.una()) ? end - snd.una() : m.length();
            }
        }
        return Math.max(0, outstanding - notDataAcked);
    }

    private boolean otherUsable(Subflow s) {
        for (Subflow o : subflows) {
            if (o != s && o.usable()) {
                return true;
            }
        }
        return false;
    }

    // ====================================================================== receive window

    /**
     * The window this connection advertises on every subflow, relative to the DATA_ACK (RFC 8684
     * section 3.3.5): the space of the connection-level buffer. Its right edge never moves left,
     * and moves right only by at least {@link #windowStep} (receiver-side SWS avoidance).
     */
    long receiveWindow() {
        long right = rcv.limit();
        if (right - rcvAdvRight >= windowStep()) {
            rcvAdvRight = right;
        }
        return Math.max(0, rcvAdvRight - rcv.rcvNxt());
    }

    /**
     * Receiver-side silly window avoidance (RFC 9293 section 3.8.6.2.2): the right edge waits until
     * it can move by min(buffer / 2, MSS), as each subflow's TCP does for its own window.
     */
    private long windowStep() {
        return Math.min(rcv.capacity() / 2, rcvMss);
    }

    long dataAckToSend() {
        return rcv.rcvNxt() + (peerDataFinReceived ? 1 : 0);
    }

    long dataFinDsn() {
        return snd.end();
    }

    // ====================================================================== application side

    public int write(long nowNanos, ByteBuffer src) {
        now = nowNanos;
        if (mode == Mode.PLAIN) {
            return plainTcp().write(nowNanos, src);
        }
        if (error != null || dataFinQueued || appClosed) {
            return -1;
        }
        if (snd.freeSpace() < src.remaining()) {
            tuneSendBuffer(); // only when the tuned limit may be what stops this write
        }
        int n = snd.append(src);
        writeShort = src.hasRemaining();
        if (n == 0 && src.hasRemaining()) {
            writeBlocked = true;
        }
        if (n > 0) {
            // Linux tcp_event_data_sent: data sent within the delayed-ACK time of data received is
            // a reply, and the connection is interactive (ping-pong mode); a later one ends that.
            pingpong = nowNanos - lastDataInNanos < PINGPONG_ATO_NANOS;
        }
        if (n > 0 && (mode == Mode.FALLBACK || remoteKeyKnown)) {
            if (mode == Mode.MPTCP && windowClosed()) {
                armWindowProbe();
            }
            armRetransmitTimer();
            kick();
        }
        return n;
    }

    /** Bytes the application wrote that the peer has not yet acknowledged (at the data level). */
    public long sendQueued() {
        if (mode == Mode.PLAIN) {
            return plainTcp == null ? 0 : plainTcp.sendQueued();
        }
        return snd.end() - snd.una();
    }

    public int read(long nowNanos, ByteBuffer dst) {
        now = nowNanos;
        if (mode == Mode.PLAIN) {
            return plainTcp().read(nowNanos, dst);
        }
        return consumed(rcv == null ? 0 : rcv.read(dst));
    }

    /** As {@link #read}, letting up to {@code max} bytes go without copying them (Linux {@code MSG_TRUNC}). */
    public int discard(long nowNanos, int max) {
        now = nowNanos;
        if (mode == Mode.PLAIN) {
            return plainTcp().discard(nowNanos, max);
        }
        return consumed(rcv == null ? 0 : rcv.discard(max));
    }

    /** {@code n} bytes left the data-level receive queue for the application; -1 at the end of the stream. */
    private int consumed(int n) {
        if (n > 0) {
            onApplicationRead();
        }
        if (rcv == null || rcv.readable() == 0) {
            readableSignaled = false;
            if (n == 0 && (peerDataFinReceived || error != null || subflows.isEmpty() && establishedSignaled)) {
                return -1;
            }
        }
        return n;
    }

    /**
     * {@code n} bytes of {@code s} reached the data level: the paper's tuner sizes the buffer from
     * each path's rate and the receiver's RTTs (timestamps; the subflow's own SRTT when it has no
     * receiver sample), and may name the slowest path once its target passes the maximum.
     */
    private void tuneReceiveBuffer(Subflow s, long nowNanos, int n) {
        long rtt = s.tcp.receiverRttNanos();
        tuner.onRtt(s, rtt > 0 ? rtt : s.tcp.srttNanos());
        Subflow slowest = tuner.onDataArrived(s, nowNanos, n);
        if (tuner.bufferBytes() > rcv.capacity()) {
            rcv.setCapacity(tuner.bufferBytes());
            // Every subflow's own window grows with it (Linux: mptcp_rcv_space_adjust sets each
            // subflow's sk_rcvbuf to the msk's): a subflow advertises the smaller of its own space
            // and the connection's, so a subflow left at its initial buffer would cap the
            // connection's window there however far the tuner grew it.
            for (int i = 0; i < subflows.size(); i++) {
                TcpConnection t = subflows.get(i).tcp;
                if (t != null) {
                    t.growReceiveBuffer(rcv.capacity());
                }
            }
        }
        if (slowest != null) {
            onReceiveBufferCapped(slowest, nowNanos);
        }
    }

    /**
     * The tuner's target passed the maximum buffer and named {@code s} the slowest path (the
     * paper's hint "to disable the slowest path"): counted, shown in MPTCP_INFO, and acted on as
     * {@link ReceiveBufferPolicy#whenCapped} says. Never the last regular subflow.
     */
    private void onReceiveBufferCapped(Subflow s, long nowNanos) {
        mib.increment(MibCounter.MPTCP_RCVBUF_CAPPED);
        s.flaggedSlow = true;
        boolean otherRegular = false;
        for (Subflow o : subflows) {
            otherRegular |= o != s && o.usable() && !o.isBackup();
        }
        if (!otherRegular || !s.usable()) {
            return;
        }
        switch (config.receiveBuffer().whenCapped()) {
            case FLAG -> { }
            case BACKUP -> {
                if (!s.backup) {
                    setBackup(s, true, nowNanos);
                    kick();
                }
            }
            case CLOSE -> {
                s.dead = true;
                reinjectFrom(s);
                s.resetReason = RESET_UNACCEPTABLE_PERFORMANCE;
                s.tcp.abort(nowNanos);
                host.wake(s);
            }
        }
    }

    /**
     * After a read (Linux {@code mptcp_cleanup_rbuf}): when the window at least doubled, by no less
     * than {@link #windowStep}, tell the peer now; and when the application has taken everything, a delayed ACK
     * goes now. Its DATA_ACK is what frees the peer's connection-level send buffer: a sender
     * limited by that buffer sends nothing more until it comes, so holding it for the delayed-ACK
     * timer stalls the connection for that long (Linux acknowledges at once data it received
     * pushed or short once the reader has emptied the queue).
     */
    private void onApplicationRead() {
        long before = rcvAdvRight - rcv.rcvNxt();
        long grown = rcv.limit() - rcvAdvRight;
        if (grown >= Math.max(before, windowStep())) {
            for (Subflow s : subflows) {
                if (s.usable()) {
                    requestAck(s);
                    break;
                }
            }
        }
        if (rcv.readable() == 0) {
            for (Subflow s : subflows) {
                // Linux's two reasons (tcp_cleanup_rbuf, mptcp_subflow_could_cleanup): more than a
                // segment is unacknowledged, or the reader emptied the queue after a short or pushed
                // segment (ICSK_ACK_PUSHED: the sender had no more at once, perhaps held by its buffer) and
                // the connection is not interactive; an interactive one's reply will carry the ACK
                // (a request would otherwise cost an extra pure ACK each time). A full-sized segment
                // alone waits for the next one, as every second one is acknowledged (RFC 5681 4.2):
                // acknowledging each at once doubled the ACKs of a bulk transfer.
                if (s.tcp != null && s.tcp.delayedAckPending()
                        && (s.tcp.bytesReceivedSinceAck() > s.tcp.receiveMss()
                                || s.tcp.pushedSinceAck() && !pingpong)) {
                    requestAck(s);
                }
            }
        }
    }

    public int readable() {
        if (mode == Mode.PLAIN) {
            return plainTcp == null ? 0 : plainTcp.readable();
        }
        return rcv == null ? 0 : rcv.readable();
    }

    public boolean isPeerFinReceived() {
        if (mode == Mode.PLAIN) {
            return plainTcp != null && plainTcp.isPeerFinReceived();
        }
        return peerDataFinReceived;
    }

    /** Half-close: a DATA_FIN after the queued data (RFC 8684 section 3.3.3); reading continues. */
    public void shutdownOutput(long nowNanos) {
        now = nowNanos;
        if (mode == Mode.PLAIN) {
            plainTcp().shutdownOutput(nowNanos);
            return;
        }
        if (dataFinQueued) {
            return;
        }
        dataFinQueued = true;
        // Linux's MPTCP socket leaves ESTABLISHED (or CLOSE_WAIT) for FIN_WAIT1 (or LAST_ACK) here,
        // and MPTcpExtMPCurrEstab counts it no longer (mptcp_set_state), as TcpCurrEstab a TCP socket.
        leaveEstablished();
        if (mode == Mode.FALLBACK) {
            if (snd.unmapped() == 0) {
                signalDataFin();
            }
            return;
        }
        if (snd.unmapped() == 0) {
            signalDataFin();
        } else {
            kick();
        }
    }

    /**
     * Every byte is mapped: the DATA_FIN goes on each subflow's next ACK, and again on a timer until
     * a DATA_ACK covers it. After fallback the subflow's own FIN is the DATA_FIN.
     */
    private void signalDataFin() {
        if (mode == Mode.FALLBACK) {
            for (Subflow s : subflows) {
                s.tcp.shutdownOutput(now);
                host.wake(s);
            }
            return;
        }
        if (dataFinAcked || !remoteKeyKnown) {
            return;
        }
        for (Subflow s : subflows) {
            if (s.usable()) {
                s.dataFinPending = true;
                requestAck(s);
            }
        }
        dataFinDeadline = now + (maxSubflowRto() << Math.min(dataFinRetries, 6));
        host.rearm(this);
    }

    /** Graceful close: DATA_FIN after the queued data; unread data turns it into an abort (as TCP). */
    public void close(long nowNanos) {
        now = nowNanos;
        if (mode == Mode.PLAIN) {
            plainTcp().close(nowNanos);
            return;
        }
        appClosed = true;
        if (readable() > 0) {
            abort(nowNanos);
            return;
        }
        if (!remoteKeyKnown && client) {
            for (Subflow s : List.copyOf(subflows)) {
                s.tcp.close(nowNanos);
            }
            return;
        }
        shutdownOutput(nowNanos);
        maybeCloseSubflows();
    }

    /** Abort: MP_FASTCLOSE on a RST of every subflow (RFC 8684 section 3.5). */
    public void abort(long nowNanos) {
        now = nowNanos;
        if (mode == Mode.PLAIN) {
            plainTcp().abort(nowNanos);
            return;
        }
        appClosed = true;
        if (error == null) {
            error = TcpError.ABORTED_LOCALLY;
        }
        for (Subflow s : List.copyOf(subflows)) {
            s.fastclose = mode == Mode.MPTCP;
            s.tcp.abort(nowNanos);
        }
    }

    /**
     * Both DATA_FINs are through (or we closed and ours is acknowledged): the subflows close with
     * FINs, once the segment being processed is done with ({@link #afterInput}), so that a FIN on
     * that very segment makes this a passive close rather than a simultaneous one.
     */
    private void maybeCloseSubflows() {
        if (subflowsClosing || !dataFinAcked || !(peerDataFinReceived || appClosed)) {
            return;
        }
        subflowsClosing = true;
        closeSubflowsPending = true;
    }

    private void leaveEstablished() {
        if (countedEstablished) {
            countedEstablished = false;
            mib.add(MibCounter.MPTCP_CURR_ESTAB, -1);
        }
    }

    private boolean closeSubflowsPending;

    /** Work deferred until the stack has finished handing a segment, a timeout or a call in. */
    public void afterInput(long nowNanos) {
        now = nowNanos;
        for (Subflow s : tooMuchOutstanding) {
            if (!s.dead && s.tcp.state().isSynchronized()) {
                s.dead = true;
                reinjectFrom(s);
                s.setReset(RESET_TOO_MUCH_OUTSTANDING_DATA, true);
                s.tcp.abort(nowNanos);
                host.wake(s);
            }
        }
        tooMuchOutstanding.clear();
        if (!removedByPeer.isEmpty()) {
            // After the segment that carried the REMOVE_ADDR is through: it may close its own subflow.
            List<Subflow> going = List.copyOf(removedByPeer);
            removedByPeer.clear();
            closeRemoved(going, false, nowNanos);
        }
        if (!closeSubflowsPending) {
            return;
        }
        closeSubflowsPending = false;
        for (Subflow s : List.copyOf(subflows)) {
            if (s.tcp.state().isSynchronized()) {
                s.tcp.close(nowNanos);
            }
            host.wake(s);
        }
    }

    // ====================================================================== endpoints changing

    /** {@code ip mptcp endpoint add} while the connection runs: see {@link PathManager#onEndpointAdded}. */
    public void onEndpointAdded(Endpoint e, long nowNanos) {
        now = nowNanos;
        if (mode == Mode.MPTCP) {
            pathManager.onEndpointAdded(e, nowNanos);
        }
    }

    /** {@code ip mptcp endpoint delete}: REMOVE_ADDR to the peer, and the subflows from it close. */
    public void onEndpointRemoved(Endpoint e, long nowNanos) {
        now = nowNanos;
        if (mode == Mode.MPTCP) {
            pathManager.onEndpointRemoved(e, nowNanos);
        }
    }

    /** {@code ip mptcp endpoint flush}: see {@link PmData#onEndpointsFlushed}. */
    public void onEndpointsFlushed(List<Endpoint> flushed, long nowNanos) {
        now = nowNanos;
        if (mode == Mode.MPTCP) {
            pathManager.onEndpointsFlushed(flushed, nowNanos);
        }
    }

    /** {@code ip mptcp endpoint delete id 0 ADDRESS}: see {@link PmData#removeAddressZero}. Whether this connection withdrew it. */
    public boolean onAddressZeroRemoved(InetAddress address, long nowNanos) {
        now = nowNanos;
        return mode == Mode.MPTCP && pathManager.removeAddressZero(V4Mapped.unmapped(address), nowNanos);
    }

    /**
     * {@code ip mptcp endpoint change ... backup|nobackup}: the subflows from the endpoint's address
     * take the flag and tell the peer with MP_PRIO (RFC 8684 section 3.3.8).
     */
    public void onEndpointBackup(Endpoint e, boolean backup, long nowNanos) {
        now = nowNanos;
        if (mode != Mode.MPTCP) {
            return;
        }
        pathManager.onEndpointChanged(e);
        for (Subflow s : subflows) {
            if (s.tcp != null && s.tcp.local().getAddress().equals(V4Mapped.unmapped(e.address()))) {
                setBackup(s, backup, nowNanos);
            }
        }
    }

    /** Subflow {@code s}'s priority changes, and the peer hears of it with MP_PRIO (RFC 8684 section 3.3.8). */
    void setBackup(Subflow s, boolean backup, long nowNanos) {
        if (s.backup == backup) {
            return;
        }
        s.backup = backup;
        s.prioToSend = Subflow.PRIO_COPIES;
        // A pure ACK at once, as Linux sends one: data segments have no room for it. The other
        // copies ride on the subflow's next pure ACKs.
        s.tcp.sendPureAck(nowNanos);
        host.wake(s);
        kick();
    }

    /**
     * This connection's path manager instead of the stack's (before it is established; Linux
     * chooses per network namespace, the multipath-tcp.org kernel per socket).
     *
     * @throws IllegalStateException once established
     */
    public void setPathManager(PathManager manager) {
        pathManager.setPolicy(manager);
    }

    /** Runs a user-space path manager's command on this connection (see {@link PmCommand}). */
    public PmCommand.Result pmCommand(PmCommand command, long nowNanos) {
        now = nowNanos;
        return pathManager.execute(command, nowNanos);
    }

    /**
     * Closes subflows whose address went away ({@code local}: one of ours, or the peer's in a
     * REMOVE_ADDR): their data not yet DATA_ACKed goes again on the others first (RFC 8684 section
     * 3.3.6), then each is reset. Linux counts RmSubflow only for subflows its own side removed; a
     * REMOVE_ADDR received counts RmAddr, once per id ({@link PmData#onRemoveAddr}).
     */
    void closeRemoved(List<Subflow> going, boolean local, long nowNanos) {
        for (Subflow s : going) {
            if (s.dead || s.tcp == null || s.tcp.state() == TcpState.CLOSED) {
                continue;
            }
            if (local) {
                mib.increment(MibCounter.MPTCP_RM_SUBFLOW);
            }
            s.dead = true;
            reinjectFrom(s);
            s.resetReason = RESET_UNSPECIFIED;
            s.tcp.abort(nowNanos);
            host.wake(s);
        }
    }

    // ====================================================================== subflow life

    /** TCP of subflow {@code s} moved from {@code from} to {@code to}. */
    void onSubflowState(Subflow s, TcpState from, TcpState to) {
        if (to == TcpState.TIME_WAIT || to == TcpState.CLOSED) {
            pathManager.onSubflowGone(s);
        }
    }

    /** The stack's TCP events for a subflow: established. */
    public void onSubflowEstablished(TcpConnection tcp) {
        if (tcp == firstTcp() && !establishedSignaled) {
            establishedSignaled = true;
            if (mpCapableDropped) {
                host.onMpCapableBlackhole(now); // answered without MP_CAPABLE, never with it
            }
            host.onEstablished(this);
        }
    }

    public void onSubflowReadable(TcpConnection tcp) {
        if (mode == Mode.PLAIN) {
            host.onReadable(this);
        }
    }

    public void onSubflowWritable(TcpConnection tcp) {
        if (mode == Mode.PLAIN) {
            host.onWritable(this);
        }
    }

    public void onSubflowPeerFin(TcpConnection tcp) {
        if (mode == Mode.PLAIN || mode == Mode.FALLBACK) {
            if (mode == Mode.FALLBACK) {
                peerDataFinReceived = true;
                if (!readableSignaled) {
                    readableSignaled = true;
                    host.onReadable(this);
                }
            }
            host.onPeerClosed(this);
        }
    }

    /** A subflow failed (reset, timed out). The connection fails with it only if no other can carry on. */
    public void onSubflowError(TcpConnection tcp, TcpError e) {
        if (mode == Mode.PLAIN) {
            error = e;
            host.onError(this, e);
            return;
        }
        Subflow s = subflowOf(tcp);
        if (s == null) {
            return;
        }
        s.dead = true;
        boolean others = false;
        for (Subflow o : subflows) {
            if (o != s && !o.dead && o.tcp.state().isSynchronized()) {
                others = true;
            }
        }
        if (!others && !(dataFinAcked && peerDataFinReceived)) {
            fail(e);
            return;
        }
        reinjectFrom(s);
        releaseSent(null);
    }

    /** A subflow's TCP connection is closed for good: it leaves the connection. */
    public void onSubflowClosed(TcpConnection tcp) {
        if (mode == Mode.PLAIN) {
            return;
        }
        Subflow s = subflowOf(tcp);
        if (s == null) {
            return;
        }
        if (!s.dead && !subflowsClosing && error == null) {
            s.dead = true;
            reinjectFrom(s);
        }
        subflows.remove(s);
        frontHolder = null;
        if (tuner != null) {
            tuner.onSubflowClosed(s);
        }
        releaseSent(null); // what it held for its own retransmissions may go
        pathManager.onSubflowClosed(s);
        if (subflows.isEmpty()) {
            tokens.remove(localToken, this);
            leaveEstablished();
            pathManager.onClosed();
            if (error == null && !(dataFinAcked && peerDataFinReceived) && !appClosed) {
                error = TcpError.RESET_BY_PEER;
                host.onError(this, error);
            }
        }
    }

    /** Whether the connection is over: no subflow is left (a plain one: its TCP connection is closed). */
    public boolean isClosed() {
        if (mode == Mode.PLAIN) {
            return plainTcp == null || plainTcp.state() == TcpState.CLOSED;
        }
        return subflows.isEmpty();
    }

    private void fail(TcpError e) {
        if (error == null) {
            error = e;
            host.onError(this, e);
        }
        for (Subflow o : List.copyOf(subflows)) {
            if (o.tcp.state() != TcpState.CLOSED) {
                o.tcp.abort(now);
                host.wake(o);
            }
        }
    }

    private void onMptcpEstablished() {
        mib.add(MibCounter.MPTCP_CURR_ESTAB, 1);
        countedEstablished = true;
        pathManager.onCreated();
        if (!client) {
            pathManager.onEstablished(now);
        }
        if (snd.unmapped() > 0) {
            kick();
        }
    }

    /** The client's SYN went without MP_CAPABLE after unanswered ones with it ({@link BlackholePolicy}). */
    private boolean mpCapableDropped;

    /**
     * Whether the initial subflow's next SYN goes without MP_CAPABLE: after
     * {@link BlackholePolicy#synRetransBeforeTcpFallback} retransmissions with it went unanswered, a
     * middlebox may be dropping the option, so the connection falls back to plain TCP before it is
     * sent (RFC 8684 section 3.7; Linux 6.12 {@code syn_retrans_before_tcp_fallback}).
     */
    boolean dropsMpCapableFromSyn(Subflow s) {
        if (s.tcp.synRetransmissions() <= config.blackhole().synRetransBeforeTcpFallback()) {
            return false;
        }
        mib.increment(MibCounter.MPTCP_CAPABLE_SYN_TX_DROP);
        mpCapableDropped = true;
        fallBackToPlain(s);
        return true;
    }

    /** Falls back to plain TCP during the handshake: the subflow's own buffers serve the application. */
    private void fallBackToPlain(Subflow s) {
        mode = Mode.PLAIN;
        tokens.remove(localToken, this);
        plainTcp = s.tcp;
        s.tcp.setExtension(SubflowExtension.PLAIN);
        subflows.clear();
        frontHolder = null;
        if (s.queue != null) {
            s.tcp.setSendQueue(s.queue.detach()); // the TCP connection keeps its own bytes from now on
            s.queue = null;
        }
        // Data written before the SYN-ACK waits here: it moves to the TCP connection, unsent.
        int unmapped = snd.unmapped();
        if (unmapped > 0) {
            ByteBuffer b = ByteBuffer.allocate(unmapped);
            snd.copy(snd.nxt(), unmapped, b, 0);
            s.tcp.appendSendData(b);
        }
        if (dataFinQueued) {
            s.tcp.shutdownOutput(now);
        }
        if (appClosed) {
            s.tcp.close(now);
        }
    }

    /**
     * RFC 8684 section 3.7: from subflow byte {@code seq} on, data maps one to one from {@code dsn}.
     * Bytes the subflow held for a checksum go up under that mapping now.
     */
    private void fallBackInfinite(Subflow s, int seq, long dsn) {
        mode = Mode.FALLBACK;
        s.received.clear();
        s.received.add(new Mapping(dsn, seq, Integer.MAX_VALUE, -1));
        s.mpFailPending = false;
        s.releaseHeld(now);
        if (s.tcp.isPeerFinReceived() && !peerDataFinReceived) {
            onSubflowPeerFin(s.tcp); // its FIN came while the data was held: now it is the DATA_FIN
        }
    }

    // ====================================================================== checksum failure (RFC 8684 section 3.7)

    /**
     * Whether a checksum failure on {@code s} can end in a fallback to TCP rather than a reset: it
     * is the only subflow there ever was, and nothing was reinjected, so what it carries is
     * contiguous at the data level (RFC 8684 section 3.7; Linux's {@code allow_infinite_fallback}).
     */
    private boolean canFallBackInfinite(Subflow s) {
        return mode == Mode.MPTCP && infiniteFallbackAllowed && s.initial && subflows.size() == 1
                && reinject.isEmpty();
    }

    /** What becomes of a mapping whose DSS checksum failed ({@link #onChecksumFailure}). */
    enum ChecksumFailure {
        /** Its bytes go up now, in order at the data level, and the subflow carries on. */
        DELIVER,
        /** Its bytes and everything after them wait for the peer's infinite mapping. */
        HOLD,
        /** The subflow is reset. */
        RESET
    }

    /**
     * Mapping {@code m} on {@code s} failed its DSS checksum (RFC 8684 section 3.3.1); none of its
     * bytes went up yet. Section 3.7: when more than one subflow is in use or the connection can no
     * longer fall back, the subflow is reset with MP_FAIL and MP_TCPRST "middlebox interference"
     * (Linux's MPTCP_RST_EMIDDLEBOX), and the peer sends the data again on another subflow. On the
     * only subflow of a connection that can fall back, MP_FAIL with the mapping's DSN goes on the
     * ACKs, and the peer answers with an infinite mapping from which both ends revert to TCP. Its
     * bytes go up at once when the mapping begins at the data-level RCV.NXT: the infinite mapping
     * acts retroactively ("from that point onward, data can be altered by a middlebox"), so they
     * are what the fallback delivers there anyway, and Linux's receiver delivers them so
     * ({@code subflow_check_data_avail}). That keeps the DATA_ACK and the window moving: Linux's
     * sender puts the infinite mapping on the next new data it sends, which a receiver holding
     * everything would never let it send. A mapping elsewhere (its DSN rewritten: no checksum
     * failure tells which field was) holds what follows until the infinite mapping says where
     * it maps.
     */
    ChecksumFailure onChecksumFailure(Subflow s, Mapping m, long nowNanos) {
        mib.increment(MibCounter.MPTCP_DATA_CSUM_ERR);
        s.scheduleMpFail(m.dsn());
        if (canFallBackInfinite(s)) {
            mpFailed = true;
            s.mpFailOriginated = true;
            requestAck(s);
            return m.dsn() == rcv.rcvNxt() ? ChecksumFailure.DELIVER : ChecksumFailure.HOLD;
        }
        resetForMiddlebox(s, nowNanos);
        return ChecksumFailure.RESET;
    }

    /** Resets {@code s} with MP_TCPRST "middlebox interference" (and MP_FAIL when one is pending). */
    void resetForMiddlebox(Subflow s, long nowNanos) {
        s.resetReason = RESET_MIDDLEBOX;
        s.tcp.abort(nowNanos);
        host.wake(s);
    }

    /** What a subflow holds at most after MP_FAIL while it waits for the infinite mapping. */
    long failHoldLimit() {
        return (rcv == null ? 0 : rcv.capacity()) + MAX_MAPPING_BYTES;
    }

    /**
     * MP_FAIL on an established subflow (RFC 8684 section 3.7): the peer found a checksum wrong on
     * its only subflow, at DSN {@code f.dsn()}. If this end can fall back too, it answers as
     * Linux does: MP_FAIL back, and an infinite mapping on its segments from now on that acts
     * retroactively from the last DATA_ACKed byte (what the peer holds from the failed mapping on
     * is delivered as plain TCP would deliver it: "from that point onward, data can be altered by a
     * middlebox without affecting MPTCP"); both directions revert to TCP. Linux ignores an MP_FAIL
     * it cannot act on and leaves the peer's MP_FAIL timeout to reset the subflow; we reset it at
     * once, with "middlebox interference", so that the peer does not hold data for nothing.
     */
    private boolean onMpFail(Subflow s, MptcpOption.MpFail f) {
        mib.increment(MibCounter.MPTCP_MP_FAIL_RX);
        if (mode != Mode.MPTCP || s.mpFailOriginated) {
            return true; // the answer to our own MP_FAIL: the infinite mapping settles it
        }
        if (!canFallBackInfinite(s)) {
            s.resetReason = RESET_MIDDLEBOX;
            return false;
        }
        mpFailed = true;
        long una = snd.una();
        int seq = s.tcp.appendSeq();
        for (Mapping m : s.sent) {
            if (Dsn.le(m.dsn(), una) && Dsn.lt(una, m.dsn() + m.length())) {
                seq = Seq32.add(m.subflowSeq(), (int) (una - m.dsn()));
                break;
            }
        }
        Mapping held = s.check.mapping();
        if (held != null) {
            fallBackInfinite(s, held.subflowSeq(), held.dsn());
        } else {
            fallBackInfinite(s, s.tcp.rcvNxt(), rcv.rcvNxt());
        }
        s.infiniteMap = new Mapping(una, seq, 0, 0);
        s.scheduleMpFail(f.dsn());
        requestAck(s);
        return true;
    }

    /**
     * The data level's acknowledgement after the fallback: the DSN of the first subflow byte the
     * segment's ACK (or an earlier one) leaves unacknowledged, through the mappings the subflow sent
     * (data maps one to one now, and what it sends is still recorded so); {@code snd.nxt()} once all
     * of it is acknowledged.
     */
    private long fallbackAck(Subflow s, TcpSegment seg) {
        int acked = s.tcp.sndUna();
        if (seg.has(TcpFlags.ACK) && Seq32.gt(seg.ack(), acked) && Seq32.le(seg.ack(), s.tcp.sndNxt())) {
            acked = seg.ack();
        }
        Mapping m = s.sentMappingFor(acked);
        return m == null ? snd.nxt() : m.dsnOf(acked);
    }

    /**
     * A segment after the fallback. A segment without MPTCP options shows the peer fell back too,
     * so the infinite mapping can stop (it resumes should the peer's segments carry options
     * again), and from then the data is plain TCP's: what the subflow's peer acknowledged counts
     * as acknowledged at the data level (Linux moves the MPTCP-level snd_una to snd_nxt at once;
     * here it follows the subflow's ACKs, so that MPTCP_INFO and the send buffer never count as
     * acknowledged what a reset may still lose).
     */
    private void onFallbackSegment(Subflow s, TcpSegment seg, MptcpOptionsIn in) {
        s.peerFellBack = !in.any;
        if (in.mpFail != null && s.infiniteMap != null) {
            requestAck(s); // the peer still waits for our infinite mapping (one may have been lost or rewritten)
        }
        s.peerSeenFallenBack |= !in.any;
        // Until the peer shows it fell back too, its subflow ACKs say nothing of the data level: a
        // peer that could not fall back (an MP_FAIL a middlebox made up, say) resets the subflow,
        // and what its TCP acknowledged may never have reached its application.
        if (s.peerSeenFallenBack && snd.acknowledge(fallbackAck(s, seg)) > 0) {
            s.pruneSent(snd.una());
            // The subflow's queue still references what it has not had acknowledged: that stays.
            tuneSendBuffer();
            releaseSent(s);
        }
    }

    // ====================================================================== timers

    /** Checks the documented invariants of the send side; the harnesses call it after every step (STYLE 12). */
    public void checkInvariants() {
        if (mode == Mode.PLAIN) {
            return;
        }
        if (Dsn.gt(snd.front(), snd.una()) || Dsn.gt(snd.una(), snd.nxt()) || Dsn.gt(snd.nxt(), snd.end())) {
            throw new AssertionError("send buffer out of order: front " + snd.front() + " una " + snd.una() + " nxt "
                    + snd.nxt() + " end " + snd.end());
        }
        for (Subflow s : subflows) {
            if (s.queue != null) {
                s.queue.checkInvariants();
            }
        }
    }

    /** The earliest connection-level deadline: data or DATA_FIN retransmission, window probe, MP_JOIN third ACK, ADD_ADDR. */
    public long nextDeadline() {
        long d = Math.min(Math.min(dataFinDeadline, windowProbeDeadline), pathManager.nextDeadline());
        d = Math.min(d, retransmitDeadline);
        if (subflowDeadlines) {
            boolean any = false;
            for (Subflow s : subflows) {
                if (s.joinAckPending) {
                    d = Math.min(d, s.joinAckDeadline);
                    any = true;
                }
                if (s.mpFailPending) {
                    d = Math.min(d, s.mpFailDeadline());
                    any = true;
                }
            }
            subflowDeadlines = any;
        }
        return d;
    }

    /**
     * Whether a subflow may have a deadline of its own (a third ACK to repeat, MP_FAIL to send
     * again): set whenever one starts, cleared by {@link #nextDeadline} once none has. The stack
     * asks for the deadline after every segment and poll; the subflows are looked at only while this is set.
     */
    boolean subflowDeadlines;

    public void handleTimeout(long nowNanos) {
        now = nowNanos;
        if (retransmitDeadline <= nowNanos) {
            retransmitDeadline = Nanos.NEVER;
            onRetransmitTimeout();
        }
        if (dataFinDeadline <= nowNanos) {
            dataFinDeadline = Nanos.NEVER;
            if (!dataFinAcked && ++dataFinRetries <= DATA_FIN_RETRIES) {
                signalDataFin();
            }
        }
        if (windowProbeDeadline <= nowNanos) {
            windowProbeDeadline = Nanos.NEVER;
            if (windowClosed() && snd.unmapped() > 0) {
                for (Subflow s : subflows) {
                    if (s.usable()) {
                        s.tcp.sendWindowProbe();
                        host.wake(s);
                        break;
                    }
                }
                windowProbes++;
                armWindowProbe();
            }
        }
        for (Subflow s : subflows) {
            if (s.mpFailDeadline() <= nowNanos) {
                s.mpFailPoked(nowNanos);
                requestAck(s); // MP_FAIL again on it (RFC 8684 section 3.7: until the infinite mapping comes)
            }
            if (s.joinAckPending && s.joinAckDeadline <= nowNanos) {
                s.joinAckDeadline = nowNanos + Math.min(s.tcp.rtoNanos() * 2, Nanos.ofSeconds(60));
                requestAck(s);
            }
        }
        if (pathManager.nextDeadline() <= nowNanos) {
            pathManager.onTimeout(nowNanos);
        }
    }

    // ====================================================================== queries

    private TcpConnection plainTcp() {
        return plainTcp;
    }

    private TcpConnection firstTcp() {
        if (mode == Mode.PLAIN) {
            return plainTcp;
        }
        Subflow s = initialSubflow();
        return s == null ? null : s.tcp;
    }

    Subflow subflowOf(TcpConnection tcp) {
        for (Subflow s : subflows) {
            if (s.tcp == tcp) {
                return s;
            }
        }
        return null;
    }

    public TcpError error() {
        return error;
    }

    /** A snapshot like Linux's {@code MPTCP_INFO} / {@code ss -M}. */
    public MptcpInfo info() {
        List<MptcpInfo.SubflowInfo> sf = new ArrayList<>(subflows.size());
        for (Subflow s : subflows) {
            TcpConnection t = s.tcp;
            sf.add(new MptcpInfo.SubflowInfo(t.local(), t.remote(), t.state(), s.localId, s.remoteId, s.isBackup(),
                    s.mptcpEstablished && !s.joinAckPending, t.srttNanos(), t.cwndBytes(), t.bytesSent(),
                    t.bytesAcked(), t.bytesReceived(), t.retransmits(), s.bytesMappedOut, s.bytesMappedIn,
                    t.rttvarNanos(), t.rtoNanos(), t.ssthreshBytes(), t.mss(), t.bytesInFlight(),
                    t.bytesRetransmitted(), t.sndWnd(), t.rcvWnd(), s.stale, s.peerResetReason, s.peerResetFlags));
        }
        long received = rcv == null ? 0 : rcv.rcvNxt() - (remoteIdsn + 1);
        return new MptcpInfo(mode, localToken, remoteToken, checksums, snd.una() - (localIdsn + 1),
                snd.nxt() - (localIdsn + 1), received, sf, pathManager.policy().name(), scheduler.name(),
                config.limits().subflows(), pathManager.addAddrSignalled(), pathManager.addAddrAccepted(),
                config.limits().addAddrAccepted(), bytesReinjected, reinjections, lastDataOutNanos,
                lastDataInNanos == Long.MIN_VALUE / 2 ? MptcpInfo.NEVER : lastDataInNanos, lastDataAckInNanos);
    }

    /** The receive-buffer tuning (the paper's section 4.1), or null before the data level exists. */
    public ReceiveBufferInfo receiveBufferInfo() {
        if (rcv == null) {
            return null;
        }
        List<ReceiveBufferInfo.Path> paths = new ArrayList<>(subflows.size());
        for (Subflow s : subflows) {
            long rtt = s.tcp.receiverRttNanos();
            paths.add(new ReceiveBufferInfo.Path(s.tcp.local(), s.tcp.remote(),
                    tuner == null ? 0 : tuner.bytesPerSecond(s), rtt > 0 ? rtt : s.tcp.srttNanos(), s.flaggedSlow));
        }
        return tuner == null
                ? new ReceiveBufferInfo(rcv.capacity(), rcv.capacity(), 0, 0, false, paths)
                : new ReceiveBufferInfo(rcv.capacity(), tuner.maxBytes(), tuner.targetBytes(), tuner.rttMaxNanos(),
                        tuner.capped(), paths);
    }

    @Override
    public String toString() {
        return "mptcp connection token " + Integer.toUnsignedString(localToken, 16) + " (" + mode + ", "
                + subflows.size() + " subflows)";
    }
}
