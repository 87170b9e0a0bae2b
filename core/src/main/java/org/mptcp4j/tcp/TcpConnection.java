package org.mptcp4j.tcp;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.cc.CongestionController;
import org.mptcp4j.cc.CoupledGroup;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.wire.IncomingOptions;
import org.mptcp4j.wire.OutgoingSegment;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpOptions;
import org.mptcp4j.wire.TcpSegment;

/**
 * One TCP connection (an MPTCP subflow, or a plain TCP connection): the RFC 9293 state machine
 * with its transmission control block. Linux: {@code struct tcp_sock}. Sans-IO: segments in
 * through {@link #process}, segments out through {@link #poll}, time through
 * {@link #handleTimeout} and {@link #nextDeadline()}.
 *
 * <p>This class holds the TCB and the application operations; arriving segments are handled by
 * {@link TcpInput} (the transition table) and departing ones built by {@link TcpOutput}.
 *
 * <p>Field invariants (sequence space, checked by {@link #checkInvariants()}):
 * <ul>
 * <li>{@code iss < sndUna <= sndNxt} once the SYN is acknowledged; {@code sndUna = iss} before.</li>
 * <li>{@code bufSeq <= sndUna + 1} and {@code sndNxt <= bufSeq + sendBuffer.length() + (finSent ? 1 : 0)}:
 *     the send buffer holds every data byte from SND.UNA to the last byte written.</li>
 * <li>{@code retransmitQueue} covers exactly {@code [sndUna, sndNxt)} once synchronized.</li>
 * <li>{@code rcvAdvRight - rcvNxt} is the window last advertised; it never exceeds the space the
 *     receive buffer has ({@code rcvAdvRight <= receiveBuffer.limitSeq()}).</li>
 * </ul>
 */
public final class TcpConnection {
    /** Option space of a TCP header (RFC 9293 3.1: data offset at most 15 words). */
    static final int MAX_OPTION_BYTES = 40;
    /** Bytes the timestamps option takes with its two NOPs of alignment (RFC 7323 appendix A): 12. */
    static final int TIMESTAMPS_ALIGNED = TcpOptions.layoutLength(List.of(new TcpOption.Timestamps(0, 0)));
    /** RFC 5961 section 7 throttling of challenge ACKs (Linux: tcp_challenge_ack_limit, per connection here). */
    static final int CHALLENGE_ACKS_PER_SECOND = 100;
    /** Owed ACKs built while more segments arrived before the driver polled; more are merged. */
    static final int MAX_OWED_ACKS = 64;

    final TcpConfig config;
    /** Nagle's algorithm (RFC 9293 3.7.4) for this connection: TcpConfig's by default, TCP_NODELAY clears it. */
    boolean nagle;
    final TcpEvents events;
    final Mib mib;
    SubflowExtension extension;
    final InetSocketAddress local;
    final InetSocketAddress remote;
    final boolean activeOpen;
    TcpState state;
    /** An identifier the owner assigns (the stack's connection handle). */
    long ownerId;

    // ---- send sequence space (RFC 9293 3.3.1)
    int iss;
    int sndUna;
    int sndNxt;
    /** SND.WND in bytes, already scaled. */
    long sndWnd;
    int sndWl1;
    int sndWl2;
    /** The largest window the peer has offered (RFC 5961 MAX.SND.WND; RFC 9293 SWS avoidance). */
    long maxSndWnd;
    /** The peer's window shift (RFC 7323 Snd.Wind.Shift). */
    int sndWscale;
    /**
     * Payload of a full-sized segment: {@link #mssClamp} less the timestamps option when used
     * (Linux {@code mss_cache}); congestion control counts in it. A segment that carries SACK
     * blocks or extension options carries less (RFC 6691, Linux {@code tcp_current_mss}).
     */
    int sndMss;
    /** The most payload a segment without options may carry: min(peer's MSS, ours, path MTU). */
    int mssClamp;
    /** What the path MTU leaves for payload without options, as ICMP taught it (RFC 1191); kept across the handshake. */
    int pathMtuClamp = Integer.MAX_VALUE;
    /**
     * Segmentation offload (Linux TSO/GSO, a device feature): the most payload one segment from
     * {@link #poll} may carry, to be cut into pieces by the device; 0 when the device cannot.
     */
    int gsoMaxBytes;
    /** The payload size of the pieces the segment last returned by {@link #poll} is cut into; 0: sent as it is. */
    int gsoSize;
    /**
     * TCP Small Queues (Linux {@code tcp_small_queue_check}, {@code tcp_wfree}): the driver reports
     * when each data packet has left its device ({@link #deviceDone}), and data waits in the send
     * queue while the device holds more than about two offloaded segments of this connection.
     */
    boolean smallQueues;
    /** Payload bytes handed to the device and not yet gone from it (Linux {@code sk_wmem_alloc}, payload only). */
    long deviceBytes;
    /** Data waited for the device (Linux {@code TSQ_THROTTLED}): a departure lets the driver poll again. */
    boolean tsqThrottled;
    /**
     * Under TCP Small Queues, the congestion window's use per round trip (Linux
     * {@code tcp_cwnd_validate}): whether the window limited the sender at some point of the round
     * that ends when {@link #cwndUsageSeq} is acknowledged, and the most bytes in flight in it. The
     * send loop stops on the device as often as on the window, and a window judged per ACK would
     * hardly grow.
     */
    boolean roundCwndLimited;
    long roundMaxInFlight;
    int cwndUsageSeq;
    /** Where in-order payload is read out for the extension ({@link TcpInput}); grows to the largest hand-over. */
    byte[] deliverScratch = new byte[0];
    /** Sequence number of the first byte in {@link #sendBuffer}. */
    int bufSeq;
    /** The payload from {@link #bufSeq} on: this connection's own ring, or an MPTCP subflow's references. */
    SendQueue sendBuffer;
    final RetransmitQueue retransmitQueue = new RetransmitQueue();
    /** The application asked for a FIN after the queued data (shutdown or close). */
    boolean finQueued;
    boolean finSent;
    int finSeq;
    /** SYN (or SYN-ACK) must be (re)sent. */
    boolean synNeeded;
    boolean synRetransmitted;
    long synSentNanos;
    int synRetries;

    // ---- receive sequence space
    int irs;
    /** Our window shift (RFC 7323 Rcv.Wind.Shift). */
    int rcvWscale;
    /** RCV.NXT + RCV.WND as last advertised. */
    int rcvAdvRight;
    final ReceiveBuffer receiveBuffer;
    /** Linux dynamic right-sizing of the receive buffer; null when the buffer is fixed. */
    final ReceiveAutotuner autotuner;
    boolean peerFinReceived;
    /** A FIN arrived beyond RCV.NXT; it takes effect when the data before it has arrived. */
    boolean peerFinPending;
    int peerFinSeq;
    /** Largest payload received, Linux's rcv_mss estimate: what a "full-sized segment" is. */
    int rcvMss;
    /** Payload bytes received since our last ACK (RFC 5681 4.2: ACK every second full-sized segment). */
    int bytesSinceAck;
    /**
     * A segment shorter than {@link #rcvMss}, or one with PSH, arrived since our last ACK (Linux
     * {@code ICSK_ACK_PUSHED}, set by {@code tcp_measure_rcv_mss}): the sender had no more to send
     * at once, so an ACK when the reader empties the queue is worth a packet.
     */
    boolean pushedSinceAck;
    boolean ackNow;
    /** ACKs that fell due while the driver had not polled yet (RFC 5681 4.2 asks for each one). */
    final ArrayDeque<OutgoingSegment> owedAcks = new ArrayDeque<>(4);
    /** SACK blocks chosen for the segment being built (see TcpOutput.planOptions). */
    List<TcpOption.SackBlock> plannedSack;
    int lastAckSent;

    // ---- negotiated options
    boolean sackOk;
    boolean tsOk;
    boolean wsOk;
    /** TS.Recent (RFC 7323 4.3) and when it was set. */
    int tsRecent;
    long tsRecentNanos;
    boolean tsRecentValid;
    /** Random offset of our timestamp clock (RFC 7323 7.1 recommends one per connection). */
    int tsOffset;
    int peerMss = TcpConfig.DEFAULT_PEER_MSS;

    // ---- timers, RTT, loss recovery, congestion control
    final TimerTable timers = new TimerTable();
    final RttEstimator rtt;
    /** Consecutive retransmission timeouts without progress. */
    int rtoRetries;
    final LossRecovery recovery = new LossRecovery(this);
    /** When the last data segment was sent (for restart after idle, RFC 5681 4.1, RFC 9438 5.8). */
    long lastSendNanos = Long.MIN_VALUE;
    int persistBackoff;
    boolean persistFired;
    boolean probeNow;
    int keepaliveProbesSent;
    /** The send loop stopped on the congestion window since the last ACK (RFC 7661 "cwnd-limited"). */
    boolean cwndLimited;
    final CoupledGroup ccGroup;
    CongestionController cc;
    long challengeWindowStartNanos = Long.MIN_VALUE / 2;
    int challengeAcksInWindow;
    /** The segment being built, reused by every poll but for the owed ACKs, which keep their own. */
    final OutgoingSegment outgoing = new OutgoingSegment();
    /** A RST to send, and its fields. */
    boolean rstPending;
    int rstSeq;
    int rstAck;
    boolean rstWithAck;

    // ---- application side
    boolean writeBlocked;
    boolean readableSignaled;
    /** The application closed the connection; it will read nothing more (an orphan in Linux terms). */
    boolean orphaned;
    TcpError error;

    // ---- statistics (ss -ti)
    long bytesSent;
    long bytesRetrans;
    long bytesAcked;
    long bytesReceived;
    long retransmits;
    long segmentsOut;
    long segmentsIn;
    /** What {@link #segmentOptions()} gives: the options of the segment last handed in. */
    private IncomingOptions segmentOptions = new IncomingOptions();

    private TcpConnection(TcpConfig config, TcpEvents events, Mib mib, SubflowExtension extension,
            InetSocketAddress local, InetSocketAddress remote, boolean activeOpen, int iss, CoupledGroup group,
            int tsOffset) {
        this.config = config;
        this.nagle = config.nagle();
        this.events = events;
        this.mib = mib;
        this.extension = extension;
        this.local = local;
        this.remote = remote;
        this.activeOpen = activeOpen;
        this.iss = iss;
        this.sndUna = iss;
        this.sndNxt = iss;
        this.bufSeq = Seq32.add(iss, 1);
        this.sendBuffer = new SendBuffer(config.sendBufferBytes());
        this.receiveBuffer = new ReceiveBuffer(config.receiveBufferBytes());
        this.autotuner = config.receiveAutotuning()
                ? new ReceiveAutotuner(config.receiveBufferBytes(), config.receiveBufferMaxBytes(), config.mss())
                : null;
        this.rtt = new RttEstimator(config.initialRtoNanos(), config.minRtoNanos(), config.maxRtoNanos());
        this.ccGroup = group;
        this.tsOffset = tsOffset;
        this.mssClamp = Math.min(config.mss(), TcpConfig.DEFAULT_PEER_MSS);
        this.sndMss = mssClamp;
        this.state = TcpState.CLOSED;
    }

    /** An active open (RFC 9293 3.10.1 OPEN call, active): the SYN goes out at the next poll. */
    public static TcpConnection connect(TcpConfig config, TcpEvents events, Mib mib, SubflowExtension extension,
            InetSocketAddress local, InetSocketAddress remote, int iss, int tsOffset, CoupledGroup group,
            long nowNanos) {
        TcpConnection c = new TcpConnection(config, events, mib, extension, local, remote, true, iss, group, tsOffset);
        c.sackOk = config.sack();
        c.tsOk = config.timestamps();
        c.wsOk = config.windowScale();
        c.synNeeded = true;
        c.setState(TcpState.SYN_SENT);
        mib.increment(MibCounter.TCP_ACTIVE_OPENS);
        return c;
    }

    /**
     * A passive open: a listener received {@code syn} (RFC 9293 3.10.7.2). The connection starts in
     * SYN-RECEIVED with the peer's options applied; the SYN-ACK goes out at the next poll.
     */
    public static TcpConnection accept(TcpConfig config, TcpEvents events, Mib mib, SubflowExtension extension,
            InetSocketAddress local, InetSocketAddress remote, int iss, int tsOffset, CoupledGroup group,
            TcpSegment syn, long nowNanos) {
        TcpConnection c = new TcpConnection(config, events, mib, extension, local, remote, false, iss, group, tsOffset);
        c.sackOk = config.sack();
        c.tsOk = config.timestamps();
        c.wsOk = config.windowScale();
        IncomingOptions options = new IncomingOptions();
        syn = options.take(syn);
        c.segmentOptions = options;
        TcpInput.applySynOptions(c, syn, options, nowNanos);
        c.irs = syn.seq();
        c.receiveBuffer.reset(Seq32.add(syn.seq(), 1));
        c.initReceiveWindow();
        c.sndWnd = syn.window();
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = syn.seq();
        c.sndWl2 = c.iss;
        c.synNeeded = true;
        c.setState(TcpState.SYN_RECEIVED);
        mib.increment(MibCounter.TCP_PASSIVE_OPENS);
        extension.onSegmentReceived(c, syn);
        return c;
    }

    // =========================================================== driver side

    /** Processes one segment addressed to this connection. Never throws on any segment content. */
    public void process(long nowNanos, TcpSegment segment) {
        IncomingOptions options = new IncomingOptions();
        process(nowNanos, options.take(segment), options);
    }

    /**
     * As {@link #process(long, TcpSegment)} for a segment whose first timestamps option and first
     * DSS are in {@code options} and not in its list, as {@link IncomingOptions#take} and
     * {@link org.mptcp4j.wire.TcpPackets#decodeV4OrNull} leave them; the extension reads them from
     * {@link #segmentOptions()}.
     */
    public void process(long nowNanos, TcpSegment segment, IncomingOptions options) {
        segmentsIn++;
        segmentOptions = options;
        TcpInput.process(this, nowNanos, segment, options);
    }

    /**
     * The timestamps and DSS of the segment being processed, valid while the extension is handed
     * it ({@link SubflowExtension#onSegmentReceived}); its list holds the other options.
     */
    public IncomingOptions segmentOptions() {
        return segmentOptions;
    }

    /** The next segment to send as a value (its payload copied), or null. */
    public TcpSegment poll(long nowNanos) {
        OutgoingSegment s = pollOutgoing(nowNanos);
        return s == null ? null : s.toSegment();
    }

    /**
     * False only when {@link #pollOutgoing} would surely give nothing now and change nothing:
     * synchronized and not closing, with no RST, ACK owed or asked for, probe, data in flight,
     * unsent data or FIN, nor data the extension may hand it ({@link
     * SubflowExtension#mayHaveDataToSend}). Linux decides the same after each segment received
     * ({@code tcp_data_snd_check}, {@code tcp_ack_snd_check}); a driver need not poll then: a bulk
     * receiver's every other data segment, whose ACK waits for the next.
     */
    public boolean mayHaveOutput() {
        if (rstPending || ackNow || probeNow || persistFired || !owedAcks.isEmpty() || recovery.probePending
                || state != TcpState.ESTABLISHED && state != TcpState.CLOSE_WAIT
                || finQueued || !retransmitQueue.isEmpty() || sendBuffer.length() > Seq32.diff(sndNxt, bufSeq)) {
            return true;
        }
        return extension != SubflowExtension.PLAIN && extension.mayHaveDataToSend(this);
    }

    /**
     * The next segment to send, or null: what {@link #poll} gives, but not made a value. Valid
     * until the next poll, and while the send queue keeps its payload: encode it at once.
     */
    public OutgoingSegment pollOutgoing(long nowNanos) {
        gsoSize = 0;
        return TcpOutput.poll(this, nowNanos);
    }

    /**
     * Lets new data leave in segments of up to {@code maxPayloadBytes} (0: off) that the device
     * cuts into MSS-sized pieces with the same headers and options (TSO/GSO): one segment built,
     * encoded and written per up to 64 KB instead of per MSS. Retransmissions and everything else
     * stay one MSS at most.
     */
    public void setSegmentationOffload(int maxPayloadBytes) {
        if (maxPayloadBytes < 0 || maxPayloadBytes > 65_535) {
            throw new IllegalArgumentException("maxPayloadBytes " + maxPayloadBytes);
        }
        gsoMaxBytes = maxPayloadBytes;
    }

    /**
     * TCP Small Queues on or off (off by default): on, the driver promises to call
     * {@link #deviceDone} for every payload byte it was handed ({@link #chargeDevice}) once the
     * packet carrying it has left the device or was dropped before it, as Linux's {@code tcp_wfree}
     * runs when a packet is freed after transmission. A bulk sender whose own device is the
     * bottleneck then keeps about two offloaded segments (1 to 2 ms of data) in the device's queue,
     * not the whole queue (Linux since 3.6).
     */
    public void setSmallQueues(boolean on) {
        smallQueues = on;
    }

    /** {@code payloadBytes} of this connection's data went to the device. */
    public void chargeDevice(int payloadBytes) {
        deviceBytes += payloadBytes;
    }

    /**
     * {@code payloadBytes} of this connection's data left the device. Returns true when data had
     * waited for the device and may go now: the driver should poll this connection again.
     */
    public boolean deviceDone(int payloadBytes) {
        deviceBytes -= payloadBytes;
        if (tsqThrottled && !TcpOutput.smallQueueFull(this, 0)) {
            tsqThrottled = false;
            return true;
        }
        return false;
    }

    /** Payload bytes in the device's queue (TCP Small Queues' {@code sk_wmem_alloc}); 0 with it off. */
    public long deviceBytes() {
        return deviceBytes;
    }

    /**
     * The payload size the device must cut the segment last returned by {@link #poll} into (its
     * {@code gso_size}); 0 when the segment goes out as it is.
     */
    public int gsoSize() {
        return gsoSize;
    }

    /** The earliest timer deadline, {@link Nanos#NEVER} if none. */
    public long nextDeadline() {
        return timers.next();
    }

    /** Runs every timer whose deadline has passed. */
    public void handleTimeout(long nowNanos) {
        Timer t;
        while ((t = timers.expired(nowNanos)) != null) {
            timers.stop(t);
            switch (t) {
                case RETRANSMIT -> onRetransmitTimeout(nowNanos);
                case DELAYED_ACK -> {
                    if (state.isSynchronized() || state == TcpState.SYN_RECEIVED) {
                        ackNow = true;
                        mib.increment(MibCounter.TCP_DELAYED_ACKS);
                    }
                }
                case PERSIST -> onPersistTimeout(nowNanos);
                case LOSS_PROBE -> recovery.onProbeTimeout(nowNanos);
                case REORDER -> recovery.onReorderTimeout(nowNanos);
                case KEEPALIVE -> onKeepaliveTimeout(nowNanos);
                case TIME_WAIT -> onTimeWaitTimeout();
            }
        }
    }

    /**
     * An ICMP "fragmentation needed" (RFC 1191) or ICMPv6 "packet too big" (RFC 8201) for this
     * connection, already checked by the caller against RFC 5927 (it quotes a segment of ours in
     * flight): packets larger than {@code pathMtu} bytes do not reach the peer.
     */
    public void handlePathMtu(long nowNanos, int pathMtu) {
        TcpOutput.onPathMtu(this, nowNanos, pathMtu);
    }

    // =========================================================== application side

    /** Queues data; returns bytes taken (0 when the buffer is full), -1 when sending is over. */
    public int write(long nowNanos, ByteBuffer src) {
        if (!state.maySend() || finQueued || error != null) {
            return -1;
        }
        int n = sendBuffer.append(src);
        if (n == 0 && src.hasRemaining()) {
            writeBlocked = true;
        }
        return n;
    }

    /** For a {@link SubflowExtension}: appends data pulled from the connection level. */
    public int appendSendData(ByteBuffer src) {
        return sendBuffer.append(src);
    }

    /**
     * For a {@link SubflowExtension}: replaces where the send-side payload lives. {@code queue}
     * must hold the same bytes as the current one, from {@link #sendQueueSeq()} on (MPTCP puts a
     * queue of references into its connection-level buffer in place of the empty ring, and a ring
     * holding copies back when the connection falls back to plain TCP).
     */
    public void setSendQueue(SendQueue queue) {
        if (queue.length() != sendBuffer.length()) {
            throw new IllegalStateException("send queue of " + queue.length() + " bytes replaces one of "
                    + sendBuffer.length());
        }
        sendBuffer = queue;
    }

    public SendQueue sendQueue() {
        return sendBuffer;
    }

    /** The sequence number of the first byte in the send queue (the first unacknowledged data byte). */
    public int sendQueueSeq() {
        return bufSeq;
    }

    /** The payload of a full-sized data segment with the extension's options in it (MPTCP: less its DSS). */
    public int dataMss() {
        return TcpOutput.dataMss(this);
    }

    /** The sequence number the next byte {@link #appendSendData} takes will have. */
    public int appendSeq() {
        return Seq32.add(bufSeq, sendBuffer.length());
    }

    /**
     * Bytes the congestion window lets out now, beyond those in flight (0 when it is full, or
     * before the handshake completes): what a scheduler asks before choosing this subflow.
     */
    public long congestionRoom() {
        if (cc == null) {
            return 0;
        }
        long windowRoom = sndWnd - Seq32.diff(sndNxt, sndUna);
        long room = Math.max(0, Math.min(cc.windowBytes() - bytesInFlight(), windowRoom));
        if (room > 0 && TcpOutput.smallQueueFull(this, 0)) {
            tsqThrottled = true; // passed over for now: the device's next departure polls this subflow again
            return 0;
        }
        return room;
    }

    /**
     * Sends a window probe at the next poll: a segment one below SND.NXT that the peer must answer
     * with its current window (RFC 9293 3.8.6.1). MPTCP probes a closed connection-level window this
     * way, since a subflow then has no data of its own to probe with.
     */
    public void sendWindowProbe() {
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            probeNow = true;
            persistFired = true;
        }
    }

    /** Asks for an ACK at the next poll (MPTCP: a DATA_ACK or window update the connection needs sent). */
    public void requestAck() {
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            ackNow = true;
        }
    }

    /**
     * Builds a pure ACK now (Linux {@code tcp_send_ack}), which goes out at the next poll even when
     * data would: for an extension's option that rides only on pure ACKs (MPTCP's MP_PRIO, ADD_ADDR). One at
     * a time: the peer sees it as a duplicate ACK when data is in flight.
     */
    public void sendPureAck(long nowNanos) {
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            TcpOutput.oweAck(this, nowNanos);
        }
    }

    /**
     * Raises SND.WND so that {@code roomBeyondSndNxt} bytes beyond SND.NXT fit in it, when a window
     * shared by the extension (MPTCP's connection-level window, learnt on another subflow) allows
     * more than this connection last heard; returns whether it rose. The next ACK on this
     * connection sets the window as usual.
     */
    public boolean shareSendWindow(long roomBeyondSndNxt) {
        long wanted = Seq32.diff(sndNxt, sndUna) + roomBeyondSndNxt;
        if (wanted <= sndWnd) {
            return false;
        }
        sndWnd = wanted;
        maxSndWnd = Math.max(maxSndWnd, sndWnd);
        return true;
    }

    /** Payload bytes received since the last ACK went out. */
    public int bytesReceivedSinceAck() {
        return bytesSinceAck;
    }

    /** Whether a segment shorter than {@link #receiveMss()}, or with PSH, arrived since the last ACK (Linux {@code ICSK_ACK_PUSHED}). */
    public boolean pushedSinceAck() {
        return pushedSinceAck;
    }

    /** The largest segment the peer has sent (Linux {@code rcv_mss}), for ACK decisions. */
    public int receiveMss() {
        return rcvMss;
    }

    /** Whether received data waits for a delayed ACK (the delayed-ACK timer runs). */
    public boolean delayedAckPending() {
        return timers.isRunning(Timer.DELAYED_ACK);
    }

    /**
     * Replaces the extension: MPTCP's fallback to plain TCP during the handshake hands the
     * connection its own buffers back (RFC 8684 section 3.7).
     */
    public void setExtension(SubflowExtension extension) {
        this.extension = extension;
    }

    /** Bytes written to this connection's own send buffer and not yet acknowledged, sent or not. */
    public int sendQueued() {
        return sendBuffer.length();
    }

    /** Bytes queued in this connection's own send buffer that are not yet sent (pulled but waiting). */
    public int unsentBytes() {
        return Math.max(0, sendBuffer.length() - Seq32.diff(sndNxt, bufSeq));
    }

    /** Reads in-order data; 0 when none yet, -1 at end of stream or after a reset. */
    public int read(long nowNanos, ByteBuffer dst) {
        return consumed(nowNanos, receiveBuffer.read(dst));
    }

    /** As {@link #read}, letting up to {@code max} bytes go without copying them (Linux {@code MSG_TRUNC}). */
    public int discard(long nowNanos, int max) {
        return consumed(nowNanos, receiveBuffer.discard(max));
    }

    /** {@code n} bytes left the receive buffer for the application: the window and the tuner move; -1 at the end. */
    private int consumed(long nowNanos, int n) {
        if (n > 0) {
            onDataConsumed(nowNanos, n);
            TcpOutput.onApplicationRead(this);
        }
        if (receiveBuffer.readable() == 0) {
            readableSignaled = false;
            if (n == 0 && (peerFinReceived || error != null || state == TcpState.CLOSED)) {
                return -1;
            }
        }
        return n;
    }

    /** {@code n} bytes left the receive buffer: the autotuner may let it grow (Linux tcp_rcv_space_adjust). */
    void onDataConsumed(long nowNanos, int n) {
        if (autotuner != null) {
            growReceiveBuffer(autotuner.onDataRead(nowNanos, n));
        }
    }

    /**
     * Grows the receive buffer, which bounds the window advertised and accepted, to {@code bytes};
     * never shrinks it. The autotuner's step, and the MPTCP connection's above a subflow when it
     * grows its own buffer (Linux {@code mptcp_rcv_space_adjust}).
     */
    public void growReceiveBuffer(int bytes) {
        if (bytes > receiveBuffer.capacity()) {
            receiveBuffer.setCapacity(bytes);
        }
    }

    /** Bytes the application can read now. */
    public int readable() {
        return receiveBuffer.readable();
    }

    /** Half-close: a FIN follows the queued data (RFC 9293 3.10.4 CLOSE while the peer may still send). */
    public void shutdownOutput(long nowNanos) {
        if (finQueued) {
            return;
        }
        switch (state) {
            case SYN_SENT, SYN_RECEIVED -> finQueued = true;
            case ESTABLISHED -> {
                finQueued = true;
                setState(TcpState.FIN_WAIT_1);
            }
            case CLOSE_WAIT -> {
                finQueued = true;
                setState(TcpState.LAST_ACK);
            }
            case CLOSED, LISTEN, FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> { }
        }
    }

    /**
     * Full close: FIN after the queued data, and the application reads no more. Unread data turns
     * the close into an abort (RFC 2525 2.17, Linux TCPAbortOnClose).
     */
    public void close(long nowNanos) {
        orphaned = true;
        if (state == TcpState.SYN_SENT) {
            enterClosed();
            return;
        }
        if (receiveBuffer.readable() > 0 && state.isSynchronized()) {
            mib.increment(MibCounter.TCP_ABORT_ON_CLOSE);
            abort(nowNanos);
            return;
        }
        shutdownOutput(nowNanos);
        if (state == TcpState.FIN_WAIT_2) {
            timers.set(Timer.TIME_WAIT, nowNanos + config.timeWaitNanos());
        }
    }

    /** Abort (RFC 9293 3.10.5): RST now, everything queued is discarded. */
    public void abort(long nowNanos) {
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT -> {
                queueRst(sndNxt, 0, false);
                fail(TcpError.ABORTED_LOCALLY);
            }
            case SYN_SENT -> fail(TcpError.ABORTED_LOCALLY);
            case CLOSED, LISTEN, CLOSING, LAST_ACK, TIME_WAIT -> enterClosed();
        }
    }

    // =========================================================== timers

    private void onRetransmitTimeout(long nowNanos) {
        switch (state) {
            case SYN_SENT, SYN_RECEIVED -> {
                int limit = state == TcpState.SYN_SENT ? config.synRetries() : config.synAckRetries();
                if (++synRetries > limit) {
                    mib.increment(MibCounter.TCP_ATTEMPT_FAILS);
                    if (state == TcpState.SYN_SENT) {
                        fail(TcpError.TIMED_OUT);
                    } else {
                        enterClosed();
                    }
                    return;
                }
                mib.increment(MibCounter.TCP_SYN_RETRANS);
                synNeeded = true;
                synRetransmitted = true;
                rtt.onBackoff();
            }
            case ESTABLISHED, FIN_WAIT_1, CLOSE_WAIT, CLOSING, LAST_ACK -> {
                if (retransmitQueue.isEmpty()) {
                    return;
                }
                if (++rtoRetries > config.maxRetransmits()) {
                    mib.increment(MibCounter.TCP_ABORT_ON_TIMEOUT);
                    fail(TcpError.TIMED_OUT);
                    return;
                }
                mib.increment(MibCounter.TCP_TIMEOUTS);
                recovery.onRetransmitTimeout(nowNanos, rtoRetries == 1);
                rtt.onBackoff();
                timers.set(Timer.RETRANSMIT, nowNanos + rtt.rtoNanos());
            }
            case CLOSED, LISTEN, FIN_WAIT_2, TIME_WAIT -> { }
        }
    }

    private void onPersistTimeout(long nowNanos) {
        if (!state.isSynchronized() || !retransmitQueue.isEmpty() || !hasUnsentData()) {
            persistBackoff = 0;
            return;
        }
        // RFC 1122 4.2.2.17 keeps the connection open only "as long as the receiving TCP continues
        // to send acknowledgments in response to the probe segments"; an ACK resets rtoRetries, so
        // this counts unanswered probes (Linux icsk_probes_out against tcp_retries2).
        if (++rtoRetries > config.maxRetransmits()) {
            mib.increment(MibCounter.TCP_ABORT_ON_TIMEOUT);
            fail(TcpError.TIMED_OUT);
            return;
        }
        persistFired = true;
        if (persistBackoff < 16) {
            persistBackoff++;
        }
        timers.set(Timer.PERSIST, nowNanos + persistIntervalNanos());
    }

    long persistIntervalNanos() {
        long base = rtt.rtoNanos();
        long v = base << Math.min(persistBackoff, 16);
        return v <= 0 || v > config.maxRtoNanos() ? config.maxRtoNanos() : v;
    }

    private void onKeepaliveTimeout(long nowNanos) {
        if (!config.keepaliveEnabled() || !state.isSynchronized() || state == TcpState.TIME_WAIT) {
            return;
        }
        if (!retransmitQueue.isEmpty() || hasUnsentData()) {
            // Data in flight or waiting: the retransmission and persist timers judge the peer, not
            // keepalive (Linux tcp_keepalive_timer reschedules while packets are out).
            keepaliveProbesSent = 0;
            timers.set(Timer.KEEPALIVE, nowNanos + config.keepaliveIdleNanos());
            return;
        }
        if (keepaliveProbesSent >= config.keepaliveProbes()) {
            mib.increment(MibCounter.TCP_ABORT_ON_TIMEOUT);
            queueRst(sndNxt, 0, false);
            fail(TcpError.TIMED_OUT);
            return;
        }
        keepaliveProbesSent++;
        probeNow = true;
        mib.increment(MibCounter.TCP_KEEPALIVE);
        timers.set(Timer.KEEPALIVE, nowNanos + config.keepaliveIntervalNanos());
    }

    private void onTimeWaitTimeout() {
        if (state == TcpState.TIME_WAIT) {
            mib.increment(MibCounter.TCP_TW);
            enterClosed();
        } else if (state == TcpState.FIN_WAIT_2 && orphaned) {
            // Linux tcp_fin_timeout: an orphan waiting for the peer's FIN is dropped silently.
            enterClosed();
        }
    }

    // =========================================================== state changes

    /** The only writer of {@link #state}; keeps the TcpCurrEstab gauge. */
    void setState(TcpState next) {
        TcpState prev = state;
        if (prev == next) {
            return;
        }
        state = next;
        boolean wasEstab = prev == TcpState.ESTABLISHED || prev == TcpState.CLOSE_WAIT;
        boolean isEstab = next == TcpState.ESTABLISHED || next == TcpState.CLOSE_WAIT;
        if (wasEstab != isEstab) {
            mib.add(MibCounter.TCP_CURR_ESTAB, isEstab ? 1 : -1);
        }
        extension.onStateChange(this, prev, next);
    }

    void enterTimeWait(long nowNanos) {
        setState(TcpState.TIME_WAIT);
        timers.stopAll();
        timers.set(Timer.TIME_WAIT, nowNanos + config.timeWaitNanos());
    }

    /** The connection is over, with an error the application sees. */
    void fail(TcpError why) {
        if (state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT) {
            mib.increment(MibCounter.TCP_ESTAB_RESETS);
        }
        if (error == null) {
            error = why;
            events.onError(this, why);
        }
        enterClosed();
    }

    void enterClosed() {
        if (state == TcpState.CLOSED) {
            return;
        }
        setState(TcpState.CLOSED);
        timers.stopAll();
        if (cc != null) {
            ccGroup.leave(cc);
        }
        events.onClosed(this);
    }

    void queueRst(int seq, int ack, boolean withAck) {
        rstPending = true;
        rstSeq = seq;
        rstAck = ack;
        rstWithAck = withAck;
    }

    /**
     * Creates the congestion controller once the MSS is known (at ESTABLISHED): the connection's
     * own algorithm if one was chosen for its group, else the configured one.
     */
    void onEstablished(long nowNanos) {
        if (cc == null) {
            cc = ccGroup.factory().orElse(config.congestionControl()).create(ccGroup, nowNanos, sndMss);
        }
        if (config.keepaliveEnabled()) {
            timers.set(Timer.KEEPALIVE, nowNanos + config.keepaliveIdleNanos());
        }
    }

    /** The payload limit without options; the full-sized segment is what the timestamps leave of it. */
    void setMssClamp(int clamp) {
        mssClamp = clamp;
        sndMss = clamp - (tsOk ? TIMESTAMPS_ALIGNED : 0);
    }

    void initReceiveWindow() {
        rcvWscale = wsOk ? config.receiveWindowShift() : 0;
        rcvAdvRight = Seq32.add(receiveBuffer.rcvNxt(), receiveBuffer.freeSpace());
    }

    // =========================================================== queries

    /** RCV.NXT including the peer's FIN once received. */
    public int rcvNxt() {
        return Seq32.add(receiveBuffer.rcvNxt(), peerFinReceived ? 1 : 0);
    }

    boolean hasUnsentData() {
        int unsentOffset = Seq32.diff(sndNxt, bufSeq);
        return sendBuffer.length() > unsentOffset || (finQueued && !finSent);
    }

    /** Bytes in flight as RFC 6675 "pipe" (without SACK, duplicate ACKs stand for SACKed segments). */
    public long bytesInFlight() {
        return Math.max(0, retransmitQueue.pipe() - recovery.renoSackedBytes);
    }

    public TcpState state() {
        return state;
    }

    public InetSocketAddress local() {
        return local;
    }

    public InetSocketAddress remote() {
        return remote;
    }

    public boolean isActiveOpen() {
        return activeOpen;
    }

    public long ownerId() {
        return ownerId;
    }

    public void setOwnerId(long id) {
        this.ownerId = id;
    }

    public Optional<TcpError> error() {
        return Optional.ofNullable(error);
    }

    public int sndUna() {
        return sndUna;
    }

    public int sndNxt() {
        return sndNxt;
    }

    public int iss() {
        return iss;
    }

    public int irs() {
        return irs;
    }

    public int mss() {
        return sndMss;
    }

    public long sndWnd() {
        return sndWnd;
    }

    public long rcvWnd() {
        return Math.max(0, Seq32.diff(rcvAdvRight, rcvNxt()));
    }

    public long srttNanos() {
        return rtt.srttNanos();
    }

    public long rttvarNanos() {
        return rtt.rttvarNanos();
    }

    public long rtoNanos() {
        return rtt.rtoNanos();
    }

    /** Retransmission timeouts since an ACK last moved SND.UNA (Linux {@code icsk_retransmits}). */
    public int consecutiveRtos() {
        return rtoRetries;
    }

    public long cwndBytes() {
        return cc == null ? 0 : cc.windowBytes();
    }

    public long ssthreshBytes() {
        return cc == null ? Long.MAX_VALUE : cc.ssthreshBytes();
    }

    public CongestionController congestionController() {
        return cc;
    }

    /**
     * The receiver's smoothed RTT from timestamps (Linux {@code rcv_rtt_est}), 0 before a sample or
     * when receive autotuning is off (only the autotuner takes the samples).
     */
    public long receiverRttNanos() {
        return autotuner == null ? 0 : autotuner.rttNanos();
    }

    /**
     * Reduces the congestion window once as for a loss, without one: MPTCP's penalization of a
     * subflow that holds up the connection (the multipath-tcp.org kernel). Refused (false) during
     * loss recovery, whose own reduction stands, as the kernel penalized only in the Open state.
     */
    public boolean penalize(long nowNanos) {
        if (cc == null || recovery.state != LossRecovery.CaState.OPEN) {
            return false;
        }
        cc.onCongestion(new org.mptcp4j.cc.LossEvent(nowNanos, cc.windowBytes(), 0, rtt.srttNanos()));
        return true;
    }

    public long bytesSent() {
        return bytesSent;
    }

    public long bytesAcked() {
        return bytesAcked;
    }

    public long bytesReceived() {
        return bytesReceived;
    }

    public long retransmits() {
        return retransmits;
    }

    /** Retransmissions of the SYN (or SYN-ACK) so far: 0 for the first one sent. */
    public int synRetransmissions() {
        return synRetries;
    }

    public long bytesRetransmitted() {
        return bytesRetrans;
    }

    /** Nagle's algorithm on or off (the socket option TCP_NODELAY is its negation). */
    public void setNagle(boolean on) {
        nagle = on;
    }

    public boolean sackEnabled() {
        return sackOk;
    }

    public boolean timestampsEnabled() {
        return tsOk;
    }

    public boolean windowScaleEnabled() {
        return wsOk;
    }

    public int sendWindowShift() {
        return sndWscale;
    }

    public int receiveWindowShift() {
        return rcvWscale;
    }

    /** Free space in the send buffer. */
    public int sendSpace() {
        return sendBuffer.freeSpace();
    }

    /** Whether the peer's FIN has been received (EOF after the buffered data). */
    public boolean isPeerFinReceived() {
        return peerFinReceived;
    }

    public SubflowExtension extension() {
        return extension;
    }

    /** Checks the documented field invariants; the harnesses call it after every step (STYLE 12). */
    public void checkInvariants() {
        retransmitQueue.checkInvariants();
        receiveBuffer.checkInvariants();
        if (state.isSynchronized() && state != TcpState.TIME_WAIT) {
            if (Seq32.gt(sndUna, sndNxt)) {
                throw new AssertionError("sndUna after sndNxt");
            }
            long expected = Seq32.diff(sndNxt, sndUna);
            if (!retransmitQueue.isEmpty() && retransmitQueue.outstandingBytes() != expected) {
                throw new AssertionError("retransmit queue covers " + retransmitQueue.outstandingBytes()
                        + " bytes, sndNxt - sndUna = " + expected);
            }
            int dataEnd = Seq32.add(bufSeq, sendBuffer.length());
            if (Seq32.gt(sndNxt, Seq32.add(dataEnd, finSent ? 1 : 0))) {
                throw new AssertionError("sndNxt beyond the data written");
            }
            if (Seq32.gt(rcvAdvRight, receiveBuffer.limitSeq())) {
                throw new AssertionError("advertised window beyond the receive buffer");
            }
        }
    }

    @Override
    public String toString() {
        return local + "->" + remote + " " + state;
    }
}
