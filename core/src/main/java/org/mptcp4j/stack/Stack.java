package org.mptcp4j.stack;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.cc.CoupledGroup;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.tcp.IsnGenerator;
import org.mptcp4j.tcp.SubflowExtension;
import org.mptcp4j.tcp.TcpConfig;
import org.mptcp4j.tcp.TcpConnection;
import org.mptcp4j.tcp.TcpError;
import org.mptcp4j.tcp.TcpEvents;
import org.mptcp4j.tcp.TcpState;
import org.mptcp4j.tcp.TimeWaitReuse;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.IcmpCodec;
import org.mptcp4j.wire.IcmpMessage;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/**
 * A host's TCP stack without I/O: the only class a driver talks to (quinn-proto's
 * {@code Endpoint}, smoltcp's {@code Interface}). Linux: the TCP part of {@code net/ipv4}.
 *
 * <h2>The sans-IO contract</h2>
 * <ul>
 * <li><b>Time</b> is a {@code long} of nanoseconds on a monotone clock the driver owns; every call
 *     that takes {@code nowNanos} must pass a value not smaller than the previous one. Nothing in
 *     the stack reads a clock, starts a thread, blocks, or touches a socket.</li>
 * <li><b>Input</b>: {@link #handleInbound} with one IP packet, {@link #handleTimeout} when the
 *     deadline from {@link #pollTimeout} has come, and the application calls ({@link #connect},
 *     {@link #write}, {@link #read}, ...).</li>
 * <li><b>Output</b>: after any input, the driver calls, in this order,
 *     {@link #pollTransmit} until it returns null (sending each packet),
 *     {@link #pollTimeout} (and arranges a {@link #handleTimeout} at that time), and
 *     {@link #pollEvent} until it returns null (waking the application).</li>
 * <li><b>Failure</b>: no bytes from the network make {@link #handleInbound} throw; malformed or
 *     unwanted packets are dropped and counted in {@link #mib()} under their nstat names.
 *     Application misuse (an unknown handle, a port in use) throws {@link IllegalArgumentException}
 *     or {@link IllegalStateException}.</li>
 * </ul>
 * Everything is single-threaded: one owner calls all methods.
 */
public final class Stack {
    /** Room {@link #pollTransmit} needs in its buffer: the largest IP packet it writes. */
    public static final int MAX_PACKET_BYTES = 65535;
    /** RSTs for closed ports waiting to go out at most; more are dropped (a flood must not grow memory). */
    private static final int MAX_PENDING_CONTROL = 1024;

    private final StackConfig config;
    private final TcpConfig tcp4;
    private final TcpConfig tcp6;
    private final Mib mib = new Mib();
    private final IsnGenerator isn;
    private final List<InetAddress> addresses = new ArrayList<>();
    private final Map<FourTuple, StackEntry> byTuple = new HashMap<>();
    private final Map<Long, StackEntry> byId = new LinkedHashMap<>();
    private final Map<Long, StackListener> listeners = new LinkedHashMap<>();
    private final ArrayDeque<StackEntry> dirty = new ArrayDeque<>();
    /**
     * Connections with a timer armed, by deadline. Every call that can move a connection's timers
     * (a segment or ICMP error processed, an application call, a poll, a timeout handled) re-keys
     * that one connection ({@link #rearm}), so neither {@link #pollTimeout} nor {@link #handleTimeout}
     * looks at the others: the cost per packet does not grow with the number of connections.
     */
    private final DeadlineHeap<StackEntry> timers = new DeadlineHeap<>();
    /** Scratch for {@link #handleTimeout}: the connections due, in handle order. */
    private StackEntry[] due = new StackEntry[16];
    private final ArrayDeque<Control> control = new ArrayDeque<>();
    private final ArrayDeque<StackEvent> events = new ArrayDeque<>();
    private final TcpEvents tcpEvents = new EventsAdapter();
    private long nextId = 1;
    private int nextEphemeral;

    public Stack(StackConfig config, Rng rng) {
        this.config = config;
        this.tcp4 = config.tcpConfig(false);
        this.tcp6 = config.tcpConfig(true);
        this.isn = new IsnGenerator(rng);
        int range = config.ephemeralPortHigh() - config.ephemeralPortLow() + 1;
        this.nextEphemeral = config.ephemeralPortLow() + rng.nextInt(range);
    }

    /** Adds an address this host owns (IPv4 or IPv6); packets to other addresses are dropped. */
    public void addAddress(InetAddress address) {
        if (!addresses.contains(address)) {
            addresses.add(address);
        }
    }

    public List<InetAddress> addresses() {
        return List.copyOf(addresses);
    }

    public StackConfig config() {
        return config;
    }

    /** Counters by nstat name. */
    public Mib mib() {
        return mib;
    }

    // ====================================================================== driver side

    /**
     * One IP packet from the network, from {@code position} to {@code limit}. Never throws on any
     * content; keeps no reference to the buffer after returning.
     */
    public void handleInbound(long nowNanos, ByteBuffer ipPacket) {
        DecodeResult<TcpPacket> decoded = TcpPackets.decode(ipPacket.duplicate());
        if (decoded instanceof DecodeResult.Malformed<TcpPacket> m) {
            if (m.counter() == MibCounter.IP_IN_UNKNOWN_PROTOS) {
                handleIcmp(nowNanos, ipPacket); // not TCP: perhaps ICMP, else counted there
            } else {
                mib.increment(m.counter());
            }
            return;
        }
        TcpPacket packet = ((DecodeResult.Ok<TcpPacket>) decoded).value();
        IpHeader ip = packet.ip();
        TcpSegment seg = packet.tcp();
        if (!addresses.contains(ip.destination())) {
            mib.increment(MibCounter.IP_IN_ADDR_ERRORS);
            return;
        }
        mib.increment(MibCounter.TCP_IN_SEGS);
        FourTuple key = new FourTuple(ip.destination(), seg.dstPort(), ip.source(), seg.srcPort());
        StackEntry e = byTuple.get(key);
        if (e != null) {
            if (e.conn.state() == TcpState.TIME_WAIT && isNewSyn(seg)
                    && TimeWaitReuse.mayReuse(e.conn, seg, tcpConfig(key).timestamps())) {
                // RFC 9293 3.6.1 / RFC 6191: a new incarnation may take over a TIME_WAIT tuple.
                mib.increment(MibCounter.TCP_TW_RECYCLED);
                release(e);
            } else {
                e.conn.process(nowNanos, seg);
                markDirty(e);
                return;
            }
        }
        StackListener l = findListener(ip.destination(), seg.dstPort());
        if (l != null) {
            onListenerSegment(nowNanos, l, key, seg);
        } else {
            answerNoSocket(ip, seg);
        }
    }

    /**
     * An IP packet that is not TCP: ICMP "fragmentation needed" (RFC 1191) and ICMPv6 "packet too
     * big" (RFC 8201) reach the connection whose segment they quote, after the checks of RFC 5927:
     * the quote names a connection of ours and a sequence number in [SND.UNA, SND.NXT) (section
     * 4.1), and the MTU is one a path can have and smaller than the packet it quotes. Any other
     * ICMP message is counted and dropped; another protocol counts in {@code IpInUnknownProtos}.
     */
    private void handleIcmp(long nowNanos, ByteBuffer ipPacket) {
        DecodeResult<IcmpMessage> decoded = IcmpCodec.decode(ipPacket.duplicate());
        if (decoded instanceof DecodeResult.Malformed<IcmpMessage> m) {
            if (m.counter() != MibCounter.IP_IN_UNKNOWN_PROTOS) {
                mib.increment(isV4(ipPacket) ? MibCounter.ICMP_IN_MSGS : MibCounter.ICMP6_IN_MSGS);
            }
            mib.increment(m.counter());
            return;
        }
        IcmpMessage message = ((DecodeResult.Ok<IcmpMessage>) decoded).value();
        boolean v4 = message.ip() instanceof IpHeader.V4;
        if (!addresses.contains(message.ip().destination())) {
            mib.increment(MibCounter.IP_IN_ADDR_ERRORS);
            return;
        }
        mib.increment(v4 ? MibCounter.ICMP_IN_MSGS : MibCounter.ICMP6_IN_MSGS);
        if (message instanceof IcmpMessage.Other o) {
            if (v4 && o.type() == IcmpMessage.ICMP_DEST_UNREACH) {
                mib.increment(MibCounter.ICMP_IN_DEST_UNREACHS);
            }
            return; // soft errors: TCP does not act on them (RFC 5461, RFC 1122 4.2.3.9)
        }
        IcmpMessage.PacketTooBig tooBig = (IcmpMessage.PacketTooBig) message;
        mib.increment(v4 ? MibCounter.ICMP_IN_DEST_UNREACHS : MibCounter.ICMP6_IN_PKT_TOO_BIGS);
        IcmpMessage.Quote q = tooBig.quoted();
        StackEntry e = q.header().protocol() == IpHeader.PROTOCOL_TCP
                ? byTuple.get(new FourTuple(q.header().source(), q.sourcePort(), q.header().destination(),
                        q.destinationPort()))
                : null;
        if (e == null) {
            mib.increment(v4 ? MibCounter.ICMP_IN_ERRORS : MibCounter.ICMP6_IN_ERRORS); // as Linux tcp_v4_err
            return;
        }
        // RFC 5927 4.1: an attacker who cannot see the connection cannot guess a sequence number in flight.
        if (!(Seq32.le(e.conn.sndUna(), q.sequence()) && Seq32.lt(q.sequence(), e.conn.sndNxt()))) {
            mib.increment(MibCounter.TCP_OUT_OF_WINDOW_ICMPS);
            return;
        }
        int mtu = pathMtu(tooBig.mtu(), q.packetLength(), v4);
        if (mtu < 0) {
            mib.increment(MibCounter.ICMP_PMTU_REFUSED);
            return;
        }
        mib.increment(MibCounter.TCP_PMTU_UPDATES);
        e.conn.handlePathMtu(nowNanos, mtu);
        markDirty(e);
    }

    /** IPv4 plateaus below 32000 bytes to guess from when an old router reports MTU 0 (RFC 1191 section 7). */
    private static final int[] MTU_PLATEAUS = {32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68};

    /**
     * The path MTU to believe from a report of {@code reported} about a packet of {@code sent}
     * bytes, or -1 to ignore it: an IPv6 MTU below 1280 is discarded (RFC 8201 section 4), an IPv4
     * MTU below 68 is none a link can have (RFC 791), and an MTU not below the packet it quotes
     * cannot be why that packet was dropped. IPv4 routers older than RFC 1191 report 0: the next
     * plateau below the quoted length stands in (RFC 1191 section 5).
     */
    private static int pathMtu(int reported, int sent, boolean v4) {
        int mtu = reported;
        if (v4 && mtu == 0) {
            mtu = -1;
            for (int plateau : MTU_PLATEAUS) {
                if (plateau < sent) {
                    mtu = plateau;
                    break;
                }
            }
        }
        if (mtu < (v4 ? 68 : 1280) || mtu >= sent) {
            return -1;
        }
        return mtu;
    }

    private static boolean isV4(ByteBuffer ipPacket) {
        return ipPacket.hasRemaining() && (ipPacket.get(ipPacket.position()) & 0xF0) == 0x40;
    }

    /** Runs every timer that is due at {@code nowNanos}. */
    public void handleTimeout(long nowNanos) {
        int n = 0;
        while (timers.minDeadline() <= nowNanos) {
            if (n == due.length) {
                due = Arrays.copyOf(due, n * 2);
            }
            due[n++] = timers.poll();
        }
        // Connections due together run in handle order (the order they were created), as the scan
        // over all connections this replaced visited them: the packets they queue leave in the
        // same order as before, whatever their deadlines.
        if (n > 1) {
            Arrays.sort(due, 0, n, BY_HANDLE);
        }
        for (int i = 0; i < n; i++) {
            StackEntry e = due[i];
            due[i] = null;
            e.conn.handleTimeout(nowNanos);
            markDirty(e);
        }
    }

    private static final Comparator<StackEntry> BY_HANDLE = Comparator.comparingLong(e -> e.handle.id());

    /**
     * Writes the next packet to send at {@code out.position()} (which advances by its length) and
     * returns its length and addresses; null, with {@code out} untouched, when nothing is to be
     * sent. {@code out} needs room for the largest packet: MSS + 80 bytes ({@link #MAX_PACKET_BYTES}
     * always suffices); with less, it throws {@link IllegalArgumentException} before taking anything.
     */
    public Transmit pollTransmit(long nowNanos, ByteBuffer out) {
        // IP header (20 or 40) + TCP header with full options (60) + MSS (IPv6 uses MSS - 20).
        if (out.remaining() < config.mss() + 80) {
            throw new IllegalArgumentException("pollTransmit needs " + (config.mss() + 80) + " bytes of room, got "
                    + out.remaining());
        }
        while (true) {
            Control c = control.poll();
            if (c != null) {
                int len = TcpPackets.encode(c.ip, c.segment, out);
                return new Transmit(len, c.ip.source(), c.ip.destination());
            }
            StackEntry e = dirty.peekFirst();
            if (e == null) {
                return null;
            }
            TcpSegment seg = e.conn.poll(nowNanos);
            dirty.pollFirst();
            rearm(e); // sending arms the retransmission timer, an ACK stops the delayed-ACK one
            if (seg == null) {
                e.inDirty = false;
                if (e.conn.state() == TcpState.CLOSED) {
                    release(e);
                }
                continue;
            }
            dirty.addLast(e); // round robin between connections with data to send
            int len = TcpPackets.encode(e.ipHeader, seg, out);
            return new Transmit(len, e.ipHeader.source(), e.ipHeader.destination());
        }
    }

    /** The earliest deadline of any timer, {@link Nanos#NEVER} if none. */
    public long pollTimeout() {
        return timers.minDeadline();
    }

    /** The next application event, or null. */
    public StackEvent pollEvent() {
        return events.poll();
    }

    // ====================================================================== application side

    /** Starts listening; {@code local}'s address may be the wildcard (0.0.0.0 or ::). */
    public ListenerHandle listen(InetSocketAddress local, int backlog) {
        for (StackListener l : listeners.values()) {
            if (l.port == local.getPort() && l.address.equals(local.getAddress())) {
                throw new IllegalStateException("already listening on " + local);
            }
        }
        StackListener l = new StackListener(new ListenerHandle(nextId++), local.getAddress(), local.getPort(),
                Math.max(1, Math.min(backlog, config.maxSynBacklog())));
        listeners.put(l.handle.id(), l);
        return l.handle;
    }

    /** Stops listening; connections not yet accepted are reset. */
    public void closeListener(ListenerHandle handle) {
        StackListener l = listeners.remove(handle.id());
        if (l == null) {
            return;
        }
        for (StackEntry e : byId.values()) {
            if (e.listener == l) {
                e.listener = null;
                e.appReleased = true;
                e.conn.abort(0);
                markDirty(e);
            }
        }
        l.acceptQueue.clear();
    }

    /** An established connection waiting on the listener, or null. */
    public ConnHandle accept(ListenerHandle handle) {
        StackListener l = listener(handle);
        StackEntry e = l.acceptQueue.poll();
        if (e == null) {
            return null;
        }
        e.listener = null;
        l.pending--;
        e.visible = true;
        if (e.conn.readable() > 0 || e.conn.isPeerFinReceived()) {
            events.add(new StackEvent.Readable(e.handle));
        }
        if (e.conn.isPeerFinReceived()) {
            events.add(new StackEvent.PeerClosed(e.handle));
        }
        return e.handle;
    }

    /**
     * Opens a connection (the SYN leaves at the next {@link #pollTransmit}). A local port of 0 picks
     * an ephemeral port; a null or wildcard local address picks the first address of the remote's family.
     */
    public ConnHandle connect(long nowNanos, InetSocketAddress local, InetSocketAddress remote) {
        InetAddress la = local == null ? null : local.getAddress();
        if (la == null || la.isAnyLocalAddress()) {
            la = addresses.stream().filter(a -> sameFamily(a, remote.getAddress())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no local address for " + remote));
        }
        int lp = local == null ? 0 : local.getPort();
        FourTuple key;
        if (lp == 0) {
            key = ephemeralTuple(la, remote);
        } else {
            key = new FourTuple(la, lp, remote.getAddress(), remote.getPort());
            StackEntry old = byTuple.get(key);
            if (old != null) {
                if (old.conn.state() != TcpState.TIME_WAIT) {
                    throw new IllegalStateException("address in use: " + key);
                }
                mib.increment(MibCounter.TCP_TW_RECYCLED);
                release(old);
            }
        }
        TcpConfig tc = remote.getAddress() instanceof Inet6Address ? tcp6 : tcp4;
        InetSocketAddress l = new InetSocketAddress(key.localAddress(), key.localPort());
        int iss = isn.isn(nowNanos, key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort());
        int tsOffset = isn.tsOffset(key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort());
        TcpConnection c = TcpConnection.connect(tc, tcpEvents, mib, SubflowExtension.PLAIN, l, remote, iss,
                tsOffset, new CoupledGroup(), nowNanos);
        StackEntry e = register(key, c);
        e.visible = true;
        markDirty(e);
        return e.handle;
    }

    /** Queues data; bytes taken (0 when the send buffer is full), -1 when the connection cannot send. */
    public int write(long nowNanos, ConnHandle c, ByteBuffer src) {
        StackEntry e = appEntry(c);
        if (e == null) {
            return -1;
        }
        int n = e.conn.write(nowNanos, src);
        if (n > 0) {
            markDirty(e);
        } else {
            rearm(e);
        }
        return n;
    }

    /** Reads data; 0 when none yet, -1 at end of stream or after a reset. */
    public int read(long nowNanos, ConnHandle c, ByteBuffer dst) {
        StackEntry e = appEntry(c);
        if (e == null) {
            return -1;
        }
        int n = e.conn.read(nowNanos, dst);
        if (e.conn.state() == TcpState.CLOSED && e.conn.readable() == 0) {
            release(e); // the last bytes of a closed connection are read: the handle goes now
        } else {
            markDirty(e);
        }
        return n;
    }

    /** FIN after the queued data (half-close); reading continues. */
    public void shutdownOutput(long nowNanos, ConnHandle c) {
        StackEntry e = appEntry(c);
        if (e != null) {
            e.conn.shutdownOutput(nowNanos);
            markDirty(e);
        }
    }

    /** Graceful close; the handle becomes invalid for the application (a Closed event follows). */
    public void close(long nowNanos, ConnHandle c) {
        StackEntry e = appEntry(c);
        if (e != null) {
            e.appReleased = true;
            e.conn.close(nowNanos);
            markDirty(e);
        }
    }

    /** Sends a RST and forgets the connection. */
    public void abort(long nowNanos, ConnHandle c) {
        StackEntry e = appEntry(c);
        if (e != null) {
            e.conn.abort(nowNanos);
            e.appReleased = true;
            markDirty(e);
        }
    }

    /** A snapshot of the connection, or null for an unknown handle. */
    public ConnectionInfo info(ConnHandle c) {
        StackEntry e = byId.get(c.id());
        if (e == null) {
            return null;
        }
        TcpConnection t = e.conn;
        return new ConnectionInfo(t.state(), t.local(), t.remote(), t.srttNanos(), t.rttvarNanos(), t.rtoNanos(),
                t.cwndBytes(), t.ssthreshBytes(), t.mss(), t.bytesSent(), t.bytesAcked(), t.bytesReceived(),
                t.retransmits(), t.sndWnd(), t.rcvWnd(), t.error().map(ResetReason::of), t.bytesRetransmitted(),
                t.bytesInFlight(), t.congestionController() == null ? config.congestionControl()
                        : t.congestionController().name(),
                t.sackEnabled(), t.timestampsEnabled(), t.sendWindowShift(), t.receiveWindowShift());
    }

    /** Connections the stack holds (including TIME_WAIT and not yet accepted ones). */
    public int connectionCount() {
        return byId.size();
    }

    /**
     * Connections closed by their application whose FIN, and the data queued before it, the peer
     * has not acknowledged yet (FIN-WAIT-1, CLOSING, LAST-ACK). A driver that is about to stop waits
     * for this to reach zero, as the kernel keeps an orphaned socket sending after its process has
     * exited: data a {@code write} accepted is not thrown away by stopping.
     */
    public int pendingCloseCount() {
        int n = 0;
        for (StackEntry e : byId.values()) {
            TcpState s = e.conn.state();
            if (s == TcpState.FIN_WAIT_1 || s == TcpState.CLOSING || s == TcpState.LAST_ACK) {
                n++;
            }
        }
        return n;
    }

    /**
     * For tests: checks every connection's invariants, and that the timer queue holds exactly the
     * connections with a timer armed, each under its current deadline (what a scan would find).
     */
    public void checkInvariants() {
        timers.checkInvariants();
        int armed = 0;
        for (StackEntry e : byId.values()) {
            e.conn.checkInvariants();
            long d = e.conn.nextDeadline();
            if (timers.deadline(e) != d) {
                throw new AssertionError(e.key + " is queued for " + timers.deadline(e) + " but its next timer is at " + d);
            }
            if (d != Nanos.NEVER) {
                armed++;
            }
        }
        if (armed != timers.size()) {
            throw new AssertionError(timers.size() + " connections in the timer queue, " + armed + " with a timer armed");
        }
    }

    // ====================================================================== demultiplexing

    private void onListenerSegment(long nowNanos, StackListener l, FourTuple key, TcpSegment seg) {
        // RFC 9293 3.10.7.2, LISTEN.
        if (seg.has(TcpFlags.RST)) {
            return;
        }
        if (seg.has(TcpFlags.ACK)) {
            queueControl(key, new TcpSegment(key.localPort(), key.remotePort(), seg.ack(), 0, TcpFlags.RST, 0, 0,
                    List.of(), TcpSegment.EMPTY));
            return;
        }
        if (!seg.has(TcpFlags.SYN)) {
            return;
        }
        if (seg.has(TcpFlags.FIN)) {
            mib.increment(MibCounter.TCP_IN_BAD_FLAGS);
            return;
        }
        if (l.pending >= l.backlog) {
            mib.increment(MibCounter.TCP_LISTEN_OVERFLOWS);
            mib.increment(MibCounter.TCP_LISTEN_DROPS);
            return;
        }
        TcpConfig tc = tcpConfig(key);
        int iss = isn.isn(nowNanos, key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort());
        TcpConnection c = TcpConnection.accept(tc, tcpEvents, mib, SubflowExtension.PLAIN,
                new InetSocketAddress(key.localAddress(), key.localPort()),
                new InetSocketAddress(key.remoteAddress(), key.remotePort()), iss,
                isn.tsOffset(key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort()),
                new CoupledGroup(), seg, nowNanos);
        StackEntry e = register(key, c);
        e.listener = l;
        l.pending++;
        markDirty(e);
    }

    /** RFC 9293 3.10.7.1: a segment for no connection and no listener is answered with a RST. */
    private void answerNoSocket(IpHeader ip, TcpSegment seg) {
        mib.increment(MibCounter.TCP_IN_NO_SOCKET);
        if (seg.has(TcpFlags.RST)) {
            return;
        }
        FourTuple key = new FourTuple(ip.destination(), seg.dstPort(), ip.source(), seg.srcPort());
        TcpSegment rst = seg.has(TcpFlags.ACK)
                ? new TcpSegment(seg.dstPort(), seg.srcPort(), seg.ack(), 0, TcpFlags.RST, 0, 0, List.of(),
                        TcpSegment.EMPTY)
                : new TcpSegment(seg.dstPort(), seg.srcPort(), 0, Seq32.add(seg.seq(), seg.segmentLength()),
                        TcpFlags.RST | TcpFlags.ACK, 0, 0, List.of(), TcpSegment.EMPTY);
        queueControl(key, rst);
    }

    private void queueControl(FourTuple key, TcpSegment seg) {
        if (control.size() >= MAX_PENDING_CONTROL) {
            return;
        }
        mib.increment(MibCounter.TCP_OUT_RSTS);
        mib.increment(MibCounter.TCP_OUT_SEGS);
        control.add(new Control(ipHeader(key), seg));
    }

    private static boolean isNewSyn(TcpSegment seg) {
        return seg.has(TcpFlags.SYN) && !seg.has(TcpFlags.ACK) && !seg.has(TcpFlags.RST);
    }

    private TcpConfig tcpConfig(FourTuple key) {
        return key.localAddress() instanceof Inet6Address ? tcp6 : tcp4;
    }

    private StackListener findListener(InetAddress address, int port) {
        StackListener wildcard = null;
        for (StackListener l : listeners.values()) {
            if (l.port != port) {
                continue;
            }
            if (l.address.equals(address)) {
                return l;
            }
            if (l.address.isAnyLocalAddress() && (wildcard == null || sameFamily(l.address, address))) {
                wildcard = l;
            }
        }
        return wildcard;
    }

    private FourTuple ephemeralTuple(InetAddress la, InetSocketAddress remote) {
        int low = config.ephemeralPortLow();
        int range = config.ephemeralPortHigh() - low + 1;
        for (int i = 0; i < range; i++) {
            int port = low + Math.floorMod(nextEphemeral - low + i, range);
            FourTuple key = new FourTuple(la, port, remote.getAddress(), remote.getPort());
            if (!byTuple.containsKey(key) && !isListening(port)) {
                nextEphemeral = port + 1;
                return key;
            }
        }
        throw new IllegalStateException("no ephemeral port free towards " + remote);
    }

    private boolean isListening(int port) {
        for (StackListener l : listeners.values()) {
            if (l.port == port) {
                return true;
            }
        }
        return false;
    }

    // ====================================================================== bookkeeping

    private StackEntry register(FourTuple key, TcpConnection c) {
        StackEntry e = new StackEntry(new ConnHandle(nextId++), key, c, ipHeader(key));
        c.setOwnerId(e.handle.id());
        byTuple.put(key, e);
        byId.put(e.handle.id(), e);
        e.registered = true;
        return e;
    }

    private void release(StackEntry e) {
        byTuple.remove(e.key, e);
        if (e.visible && !e.appReleased && e.conn.readable() > 0) {
            // Data acknowledged to the peer is the application's, even after a reset or the end of
            // TIME-WAIT: the handle stays (off the tuple table) until it is read or closed, as a
            // Linux socket keeps its receive queue. read() completes the release.
            if (e.inDirty) {
                dirty.remove(e);
                e.inDirty = false;
            }
            return;
        }
        if (byId.remove(e.handle.id()) == null) {
            return;
        }
        e.registered = false;
        timers.remove(e);
        if (e.inDirty) {
            dirty.remove(e);
            e.inDirty = false;
        }
        if (e.listener != null) {
            e.listener.pending--;
            e.listener.acceptQueue.remove(e);
            e.listener = null;
        }
        if (e.visible) {
            events.add(new StackEvent.Closed(e.handle));
        }
    }

    /** After anything that may have changed the connection's timers: it asks to be polled, and is re-keyed. */
    private void markDirty(StackEntry e) {
        rearm(e);
        if (!e.inDirty) {
            e.inDirty = true;
            dirty.addLast(e);
        }
    }

    /** Re-keys the connection in the timer queue under its current earliest deadline (out of it when none). */
    private void rearm(StackEntry e) {
        if (e.registered) {
            timers.set(e, e.conn.nextDeadline());
        }
    }

    private StackEntry appEntry(ConnHandle c) {
        StackEntry e = byId.get(c.id());
        return e == null || !e.visible || e.appReleased ? null : e;
    }

    private StackListener listener(ListenerHandle handle) {
        StackListener l = listeners.get(handle.id());
        if (l == null) {
            throw new IllegalArgumentException("unknown listener " + handle);
        }
        return l;
    }

    private static boolean sameFamily(InetAddress a, InetAddress b) {
        return (a instanceof Inet4Address) == (b instanceof Inet4Address);
    }

    private static IpHeader ipHeader(FourTuple key) {
        if (key.localAddress() instanceof Inet4Address l && key.remoteAddress() instanceof Inet4Address r) {
            return IpHeader.V4.of(l, r, IpHeader.PROTOCOL_TCP);
        }
        return IpHeader.V6.of((Inet6Address) key.localAddress(), (Inet6Address) key.remoteAddress(),
                IpHeader.PROTOCOL_TCP);
    }

    private record Control(IpHeader ip, TcpSegment segment) {}

    /** Turns connection callbacks into application events. */
    private final class EventsAdapter implements TcpEvents {
        private StackEntry entry(TcpConnection c) {
            return byId.get(c.ownerId());
        }

        private boolean toApp(StackEntry e) {
            return e != null && e.visible && !e.appReleased;
        }

        public void onEstablished(TcpConnection c) {
            StackEntry e = entry(c);
            if (e == null) {
                return;
            }
            if (e.listener != null) {
                // Still counted against the backlog until accepted (Linux counts both queues).
                e.listener.acceptQueue.add(e);
                events.add(new StackEvent.Incoming(e.listener.handle));
            } else if (toApp(e)) {
                events.add(new StackEvent.Connected(e.handle));
            }
        }

        public void onReadable(TcpConnection c) {
            StackEntry e = entry(c);
            if (toApp(e)) {
                events.add(new StackEvent.Readable(e.handle));
            }
        }

        public void onWritable(TcpConnection c) {
            StackEntry e = entry(c);
            if (toApp(e)) {
                events.add(new StackEvent.Writable(e.handle));
            }
        }

        public void onPeerFin(TcpConnection c) {
            StackEntry e = entry(c);
            if (toApp(e)) {
                events.add(new StackEvent.PeerClosed(e.handle));
            }
        }

        public void onError(TcpConnection c, TcpError error) {
            StackEntry e = entry(c);
            if (toApp(e)) {
                ResetReason r = ResetReason.of(error);
                boolean neverConnected = c.isActiveOpen() && c.bytesAcked() == 0 && c.sndUna() == c.iss();
                events.add(neverConnected ? new StackEvent.ConnectFailed(e.handle, r) : new StackEvent.Reset(e.handle, r));
            }
        }

        public void onClosed(TcpConnection c) {
            StackEntry e = entry(c);
            if (e != null) {
                markDirty(e); // released once its last segment (a RST, say) has been polled
            }
        }
    }
}
