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
import org.mptcp4j.cc.CongestionAlgorithm;
import org.mptcp4j.cc.ControllerFactory;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.ActiveMptcpBackoff;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.JoinRefusal;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.MptcpHost;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.mptcp.PathManager;
import org.mptcp4j.mptcp.PmCommand;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.SchedulerTrace;
import org.mptcp4j.mptcp.Subflow;
import org.mptcp4j.mptcp.TokenTable;
import org.mptcp4j.mptcp.V4Mapped;
import org.mptcp4j.tcp.IsnGenerator;
import org.mptcp4j.tcp.SubflowExtension;
import org.mptcp4j.tcp.TcpConfig;
import org.mptcp4j.tcp.TcpConnection;
import org.mptcp4j.tcp.TcpError;
import org.mptcp4j.tcp.TcpEvents;
import org.mptcp4j.tcp.TcpState;
import org.mptcp4j.tcp.TimeWaitReuse;
import org.mptcp4j.wire.ChecksumPolicy;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.IcmpCodec;
import org.mptcp4j.wire.IcmpMessage;
import org.mptcp4j.wire.IncomingOptions;
import org.mptcp4j.wire.IpHeader;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.OutgoingSegment;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/**
 * A host's TCP/MPTCP stack without I/O: the only class a driver talks to (quinn-proto's
 * {@code Endpoint}, smoltcp's {@code Interface}). It is a demultiplexer: an application handle
 * names an {@link MptcpConnection} (plain TCP being its fallback case, as a Linux MPTCP socket
 * falls back to its first subflow), a 4-tuple names one of its subflows, and an MP_JOIN SYN finds
 * its connection in the {@link TokenTable} (the paper's token hash table).
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
    /** The MPTCP settings new connections take: the configured ones, with endpoints added and removed since. */
    private MptcpConfig mptcpConfig;
    private final TcpConfig tcp4;
    private final TcpConfig tcp6;
    private final Mib mib = new Mib();
    private final Rng rng;
    private final IsnGenerator isn;
    private final TokenTable tokens = new TokenTable();
    /** Whether active MPTCP is off for now after an MP_CAPABLE blackhole (Linux keeps it per namespace). */
    private final ActiveMptcpBackoff blackholes;
    private final List<InetAddress> addresses = new ArrayList<>();
    private final Map<FourTuple, StackEntry> byTuple = new HashMap<>();
    private final Map<Long, StackConnection> byId = new LinkedHashMap<>();
    /**
     * The connection {@link #connection} found last: the stack asks for the same one over and over
     * (every ACK re-arms its timer, every write and read looks its handle up), and one compare
     * replaces a boxed {@code Long} hash lookup each time.
     */
    private StackConnection lastFound;
    /** The timestamps and DSS of the segment {@link #handleInbound} is handing to a subflow. */
    private final IncomingOptions inboundOptions = new IncomingOptions();
    /** {@link #handleInbound}'s cache: the entry a segment's port pair led to last, by {@link #inboundSlot}. */
    private final StackEntry[] recentInbound = new StackEntry[64];
    private final Map<Long, StackListener> listeners = new LinkedHashMap<>();
    private final ArrayDeque<StackEntry> dirty = new ArrayDeque<>();
    /**
     * Subflows with a timer armed, by deadline, and connections with a connection-level timer armed
     * (DATA_FIN, MP_JOIN third ACK, ADD_ADDR). Every call that can move a subflow's or a
     * connection's timers re-keys that one ({@link #rearm}), so neither {@link #pollTimeout} nor
     * {@link #handleTimeout} looks at the others: the cost per packet does not grow with the number
     * of connections.
     */
    private final DeadlineHeap<StackEntry> timers = new DeadlineHeap<>();
    private final DeadlineHeap<StackConnection> connectionTimers = new DeadlineHeap<>();
    /** Scratch for {@link #handleTimeout}: the subflows due, in creation order. */
    private StackEntry[] due = new StackEntry[16];
    private final ArrayDeque<Control> control = new ArrayDeque<>();
    private final ArrayDeque<StackEvent> events = new ArrayDeque<>();
    /** Path-manager events while someone listens ({@link #setPmMonitor}), at most {@link #MAX_PM_EVENTS}. */
    private final ArrayDeque<PmEvent> pmEvents = new ArrayDeque<>();
    private boolean pmMonitor;
    private long pmEventsDropped;
    /** Path-manager events kept unpolled at most; later ones are dropped and counted (a netlink socket's buffer overruns too). */
    public static final int MAX_PM_EVENTS = 1 << 16;
    private final TcpEvents tcpEvents = new EventsAdapter();
    private final MptcpHost host = new Host();
    /** Payload bytes a segment may carry under segmentation offload; 0: off. */
    private int gsoMaxPayload;
    /** The device completes TCP checksums ({@link #setChecksumOffload}). */
    private boolean checksumOffload;
    private boolean smallQueues;
    private long nextId = 1;
    private long nextOrder;
    private int nextEphemeral;

    public Stack(StackConfig config, Rng rng) {
        this.config = config;
        this.mptcpConfig = config.mptcp();
        this.blackholes = new ActiveMptcpBackoff(config.mptcp().blackhole());
        this.tcp4 = config.tcpConfig(false);
        this.tcp6 = config.tcpConfig(true);
        this.rng = rng;
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

    /** The MPTCP endpoints now, as {@code ip mptcp endpoint show} lists them. */
    public List<Endpoint> endpoints() {
        return mptcpConfig.endpoints();
    }

    /**
     * Adds an endpoint ({@code ip mptcp endpoint add}): new connections use it, and so do the
     * established ones, as Linux's in-kernel path manager does: a {@code signal} endpoint is
     * announced with ADD_ADDR, a client joins from a {@code subflow} endpoint within the limits.
     *
     * @throws IllegalArgumentException when an endpoint has the id or the address already
     */
    public void addEndpoint(long nowNanos, Endpoint e) {
        for (Endpoint o : mptcpConfig.endpoints()) {
            if (o.id() == e.id() || V4Mapped.unmapped(o.address()).equals(V4Mapped.unmapped(e.address()))) {
                throw new IllegalArgumentException("endpoint " + e + " clashes with " + o);
            }
        }
        List<Endpoint> next = new ArrayList<>(mptcpConfig.endpoints());
        next.add(e);
        mptcpConfig = mptcpConfig.withEndpoints(next);
        forEachMptcp(m -> m.onEndpointAdded(e, nowNanos));
    }

    /**
     * Deletes the endpoint with {@code id} ({@code ip mptcp endpoint delete id N}): connections that
     * announced it or have subflows from it send REMOVE_ADDR (RFC 8684 section 3.4.2) and close those
     * subflows, their data going again on the others.
     *
     * @throws IllegalArgumentException when no endpoint has that id
     */
    public void removeEndpoint(long nowNanos, int id) {
        Endpoint e = endpoint(id);
        List<Endpoint> next = new ArrayList<>(mptcpConfig.endpoints());
        next.remove(e);
        mptcpConfig = mptcpConfig.withEndpoints(next);
        forEachMptcp(m -> m.onEndpointRemoved(e, nowNanos));
    }

    /**
     * Deletes every endpoint ({@code ip mptcp endpoint flush}): each connection withdraws those it
     * announced in one REMOVE_ADDR listing their ids, and closes its subflows from any of them
     * (their data going again on the others) without a REMOVE_ADDR of their own, as Linux does
     * since 5.18. Initial subflows stay (their address is id 0: {@link #removeAddressZero}).
     */
    public void flushEndpoints(long nowNanos) {
        List<Endpoint> flushed = mptcpConfig.endpoints();
        mptcpConfig = mptcpConfig.withEndpoints(List.of());
        forEachMptcp(m -> m.onEndpointsFlushed(flushed, nowNanos));
    }

    /**
     * Withdraws address id 0 at {@code address} ({@code ip mptcp endpoint delete id 0 ADDRESS}):
     * each connection whose initial subflow is from {@code address} sends REMOVE_ADDR of id 0
     * (RFC 8684 section 3.4.2) on another subflow and closes its subflows with address id 0, the
     * initial one included, their data going again on the others; the connection goes on over its
     * other subflows. Returns how many connections withdrew it.
     */
    public int removeAddressZero(long nowNanos, InetAddress address) {
        int[] n = {0};
        forEachMptcp(m -> n[0] += m.onAddressZeroRemoved(address, nowNanos) ? 1 : 0);
        return n[0];
    }

    /**
     * Sets or clears the endpoint's {@code backup} flag ({@code ip mptcp endpoint change id N
     * backup|nobackup}): running subflows from its address change priority and say so with MP_PRIO
     * (RFC 8684 section 3.3.8); joins from it later carry the flag.
     *
     * @throws IllegalArgumentException when no endpoint has that id
     */
    public void setEndpointBackup(long nowNanos, int id, boolean backup) {
        Endpoint e = endpoint(id);
        java.util.EnumSet<Endpoint.Flag> flags = java.util.EnumSet.noneOf(Endpoint.Flag.class);
        flags.addAll(e.flags());
        if (backup) {
            flags.add(Endpoint.Flag.BACKUP);
        } else {
            flags.remove(Endpoint.Flag.BACKUP);
        }
        Endpoint changed = new Endpoint(e.address(), e.id(), e.port(), flags);
        List<Endpoint> next = new ArrayList<>(mptcpConfig.endpoints());
        next.set(next.indexOf(e), changed);
        mptcpConfig = mptcpConfig.withEndpoints(next);
        forEachMptcp(m -> m.onEndpointBackup(changed, backup, nowNanos));
    }

    private Endpoint endpoint(int id) {
        for (Endpoint e : mptcpConfig.endpoints()) {
            if (e.id() == id) {
                return e;
            }
        }
        throw new IllegalArgumentException("no endpoint with id " + id);
    }

    /** Runs {@code action} on every live MPTCP connection, then re-arms their timers. */
    private void forEachMptcp(java.util.function.Consumer<MptcpConnection> action) {
        for (StackConnection c : List.copyOf(byId.values())) {
            if (c.mptcp.mode() == MptcpConnection.Mode.MPTCP) {
                action.accept(c.mptcp);
                rearm(c);
            }
        }
    }

    // ====================================================================== path managers

    /**
     * Starts or stops keeping path-manager events for {@link #pollPmEvent} (Linux multicasts them
     * only while a netlink socket listens: {@code ip mptcp monitor}, mptcpd). Off by default.
     */
    public void setPmMonitor(boolean on) {
        pmMonitor = on;
        if (!on) {
            pmEvents.clear();
        }
    }

    /** The next path-manager event of any connection, oldest first, or null; see {@link PmEvent#toMonitorLine}. */
    public PmEvent pollPmEvent() {
        return pmEvents.poll();
    }

    /** Events dropped because {@link #MAX_PM_EVENTS} were waiting unpolled. */
    public long pmEventsDropped() {
        return pmEventsDropped;
    }

    /**
     * The connection's own path manager ({@link PathManager#byName}), instead of the stack's
     * {@code MptcpConfig.pathManager}: call it after {@link #connect}, before the handshake
     * completes (before the first {@link #pollTransmit} to be sure). An accepted connection is
     * established when the application sees it, so it keeps its stack's.
     *
     * @throws IllegalArgumentException for an unknown handle or name
     * @throws IllegalStateException once the connection is established at the MPTCP level
     */
    public void setPathManager(ConnHandle h, String name) {
        StackConnection c = connection(h.id());
        if (c == null) {
            throw new IllegalArgumentException("unknown connection " + h);
        }
        c.mptcp.setPathManager(PathManager.byName(name)
                .orElseThrow(() -> new IllegalArgumentException("unknown path manager " + name + " " + PathManager.names()))
                .get());
    }

    /**
     * Runs a user-space path manager's command on the connection its token names (Linux's
     * {@code MPTCP_PM_CMD_*} netlink commands); the packets it causes leave at the next
     * {@link #pollTransmit}. Never throws for a bad token or address: the result says what was wrong.
     */
    public PmCommand.Result pmCommand(long nowNanos, PmCommand command) {
        MptcpConnection m = tokens.lookup(command.token());
        StackConnection c = m == null ? null : connection(m.ownerId());
        if (c == null) {
            return PmCommand.Result.NO_SUCH_TOKEN;
        }
        m.setNow(nowNanos);
        PmCommand.Result r = m.pmCommand(command, nowNanos);
        touch(c);
        return r;
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
        handleInbound(nowNanos, ipPacket, false);
    }

    /**
     * As {@link #handleInbound(long, ByteBuffer)}; {@code checksumValidated} when the device vouches
     * for the TCP checksum (a TUN's virtio header says the kernel built or verified the packet), so
     * it is not summed again.
     */
    public void handleInbound(long nowNanos, ByteBuffer ipPacket, boolean checksumValidated) {
        // The decoder reads by absolute index and leaves the buffer's position and limit alone: no duplicate.
        ChecksumPolicy policy = checksumValidated ? ChecksumPolicy.DEVICE_VALIDATED : ChecksumPolicy.VERIFY;
        TcpSegment fast = TcpPackets.decodeV4OrNull(ipPacket, policy, inboundOptions);
        if (fast != null) {
            // IPv4 for the subflow this port pair last led to, nearly every packet: the addresses
            // are compared as the packet's ints, and no header value is made. Anything else
            // (TIME_WAIT too, which decides whether a new SYN takes the tuple over) is decoded
            // again below, as values.
            int base = ipPacket.position();
            StackEntry e = recentInbound[inboundSlot(fast.dstPort(), fast.srcPort())];
            if (e != null && e.conn.state() != TcpState.TIME_WAIT
                    && e.key.isV4(ipPacket.getInt(base + 16), fast.dstPort(), ipPacket.getInt(base + 12), fast.srcPort())) {
                mib.increment(MibCounter.TCP_IN_SEGS);
                e.owner.mptcp.setNow(nowNanos);
                e.conn.process(nowNanos, fast, inboundOptions);
                afterProcess(nowNanos, e);
                return;
            }
        }
        // A packet the fast decode took has had its checksum checked already: not summed twice.
        DecodeResult<TcpPacket> decoded = TcpPackets.decode(ipPacket, fast != null ? ChecksumPolicy.DEVICE_VALIDATED : policy);
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
        // The subflow this port pair last led to first, compared field by field: no key allocated,
        // no map lookup, and with several subflows' segments interleaving each keeps its own slot.
        // A hit is an entry's tuple, so its address is ours (addresses are never taken away).
        int slot = inboundSlot(seg.dstPort(), seg.srcPort());
        StackEntry e = recentInbound[slot];
        boolean hit = e != null && e.key.is(ip.destination(), seg.dstPort(), ip.source(), seg.srcPort());
        if (!hit && !addresses.contains(ip.destination())) {
            mib.increment(MibCounter.IP_IN_ADDR_ERRORS);
            return;
        }
        mib.increment(MibCounter.TCP_IN_SEGS);
        FourTuple key;
        if (hit) {
            key = e.key;
        } else {
            key = new FourTuple(ip.destination(), seg.dstPort(), ip.source(), seg.srcPort());
            e = byTuple.get(key);
            recentInbound[slot] = e;
        }
        if (e != null) {
            if (e.conn.state() == TcpState.TIME_WAIT && isNewSyn(seg)
                    && TimeWaitReuse.mayReuse(e.conn, seg, tcpConfig(key).timestamps())) {
                // RFC 9293 3.6.1 / RFC 6191: a new incarnation may take over a TIME_WAIT tuple.
                mib.increment(MibCounter.TCP_TW_RECYCLED);
                releaseSubflow(e);
            } else {
                e.owner.mptcp.setNow(nowNanos);
                e.conn.process(nowNanos, seg);
                afterProcess(nowNanos, e);
                return;
            }
        }
        if (config.mptcpEnabled() && isNewSyn(seg)) {
            MptcpOption.MpJoinSyn join = joinOf(seg);
            if (join != null) {
                onJoinSyn(nowNanos, key, seg, join);
                return;
            }
        }
        StackListener l = findListener(ip.destination(), seg.dstPort());
        if (l != null) {
            onListenerSegment(nowNanos, l, key, seg);
        } else if (isNewSyn(seg) && isJoinOnlyPort(ip.destination(), seg.dstPort())) {
            refuseAtJoinOnlyPort(key, seg);
        } else {
            answerNoSocket(ip, seg);
        }
    }

    /** The subflow of entry {@code e} has processed a segment. */
    private void afterProcess(long nowNanos, StackEntry e) {
        e.owner.mptcp.afterInput(nowNanos);
        if (e.conn.mayHaveOutput()) {
            markDirty(e);
        } else {
            // A delayed ACK armed, say: nothing to poll for. Under -ea (the tests) the poll runs
            // anyway and must find nothing; one that finds nothing changes nothing.
            assert e.conn.pollOutgoing(nowNanos) == null : e.key + " had something to send after all";
            rearm(e);
        }
        rearm(e.owner);
    }

    /**
     * Whether {@code address} and {@code port} are a {@code signal} endpoint's with a port, where
     * this stack takes MP_JOINs and nothing else (Linux listens there for the path manager only).
     */
    private boolean isJoinOnlyPort(InetAddress address, int port) {
        if (!config.mptcpEnabled()) {
            return false;
        }
        for (Endpoint e : mptcpConfig.endpoints()) {
            if (e.port() == port && e.address().equals(address)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A SYN other than an MP_JOIN at a join-only port: a RST with MP_TCPRST "administratively
     * prohibited" and MPCapableEndpAttempt (after MPCapableSYNRX if it offered MP_CAPABLE), as
     * Linux's path-manager listener answers it (it could never be accepted, and would only fill
     * the listener's queue).
     */
    private void refuseAtJoinOnlyPort(FourTuple key, TcpSegment syn) {
        if (offersMpCapable(syn)) {
            mib.increment(MibCounter.MPTCP_CAPABLE_SYN_RX);
        }
        mib.increment(MibCounter.MPTCP_CAPABLE_ENDP_ATTEMPT);
        refuseJoin(key, syn, 3, false); // RFC 8684 section 3.6: "administratively prohibited"
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
        e.owner.mptcp.setNow(nowNanos);
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
        // Subflows due together run in the order they were created, as a scan over all of them
        // would visit them: the packets they queue leave in the same order whatever their deadlines.
        if (n > 1) {
            Arrays.sort(due, 0, n, BY_ORDER);
        }
        for (int i = 0; i < n; i++) {
            StackEntry e = due[i];
            due[i] = null;
            e.owner.mptcp.setNow(nowNanos);
            e.conn.handleTimeout(nowNanos);
            e.owner.mptcp.onSubflowTimers(e.conn);
            e.owner.mptcp.afterInput(nowNanos);
            markDirty(e);
            rearm(e.owner);
        }
        while (connectionTimers.minDeadline() <= nowNanos) {
            StackConnection c = connectionTimers.poll();
            c.mptcp.handleTimeout(nowNanos);
            c.mptcp.afterInput(nowNanos);
            rearm(c);
            touch(c);
        }
    }

    private static final Comparator<StackEntry> BY_ORDER = Comparator.comparingLong(e -> e.order);

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
        if (gsoMaxPayload > 0 && out.remaining() < gsoMaxPayload + 100) {
            throw new IllegalArgumentException("pollTransmit under segmentation offload needs " + (gsoMaxPayload + 100)
                    + " bytes of room, got " + out.remaining());
        }
        while (true) {
            Control c = control.poll();
            if (c != null) {
                int len = TcpPackets.encode(c.ip, c.segment, out, checksumOffload);
                return new Transmit(len, c.ip.source(), c.ip.destination());
            }
            StackEntry e = dirty.peekFirst();
            if (e == null) {
                return null;
            }
            e.owner.mptcp.setNow(nowNanos);
            OutgoingSegment seg = e.conn.pollOutgoing(nowNanos);
            dirty.pollFirst();
            rearm(e); // sending arms the retransmission timer, an ACK stops the delayed-ACK one
            rearm(e.owner);
            if (seg == null) {
                e.inDirty = false;
                if (e.conn.state() == TcpState.CLOSED) {
                    releaseSubflow(e);
                }
                continue;
            }
            dirty.addLast(e); // round robin between subflows with data to send
            int gso = e.conn.gsoSize();
            int len = TcpPackets.encode(e.ipHeader, seg, out, gso > 0 || checksumOffload);
            DeviceCharge charge = null;
            if (smallQueues && seg.payloadLength() > 0) {
                e.conn.chargeDevice(seg.payloadLength());
                charge = e;
            }
            return new Transmit(len, e.ipHeader.source(), e.ipHeader.destination(), gso, charge);
        }
    }

    /**
     * The device takes TCP segments of up to {@code maxPacketBytes} (IP header included) and cuts
     * them itself (TSO/GSO, a device feature as in Linux; 0: it cannot). {@link #pollTransmit} then
     * writes such large segments, with a {@link Transmit#gsoSize()}, into buffers of at least that
     * size; applies to existing subflows and new ones.
     */
    public void setSegmentationOffload(int maxPacketBytes) {
        if (maxPacketBytes != 0 && (maxPacketBytes < config.mss() + 80 || maxPacketBytes > MAX_PACKET_BYTES)) {
            throw new IllegalArgumentException("maxPacketBytes " + maxPacketBytes);
        }
        // The IPv6 header and a TCP header with full options come off before the payload.
        gsoMaxPayload = maxPacketBytes == 0 ? 0 : maxPacketBytes - 40 - 60;
        for (StackEntry e : byTuple.values()) {
            e.conn.setSegmentationOffload(gsoMaxPayload);
        }
    }

    /**
     * The device completes TCP checksums (Linux's {@code NETIF_F_HW_CSUM}): every packet
     * {@link #pollTransmit} writes then carries in its TCP checksum field only the pseudo-header
     * sum (RFC 9293 section 3.1), not complemented, as an skb in {@code CHECKSUM_PARTIAL} does; the
     * device sums the segment from the TCP header on and writes the complement. Off by default:
     * every packet but a large one under segmentation offload leaves with its checksum complete.
     */
    public void setChecksumOffload(boolean on) {
        checksumOffload = on;
    }

    /**
     * TCP Small Queues (Linux since 3.6; off by default): the driver reports, with
     * {@link #transmitted}, when each packet carrying data has left its device, and a connection
     * keeps no more than about two offloaded segments (1 to 2 ms of data at its pacing rate) in the
     * device's queue; the rest waits in the send queue, where the scheduler can still place it.
     * A sender whose own device is the bottleneck then no longer fills that device's queue (1000
     * packets by default) and the round trip its flows see stays near the path's. Only for drivers
     * that see their packets leave (a simulated host's link); applies to existing subflows and new ones.
     */
    public void setSmallQueues(boolean on) {
        smallQueues = on;
        for (StackEntry e : byTuple.values()) {
            e.conn.setSmallQueues(on);
        }
    }

    /**
     * {@code payloadBytes} of a packet that {@link #pollTransmit} charged ({@link Transmit#charge})
     * left the device, or were dropped before they could (Linux {@code tcp_wfree}). A connection that
     * waited for its device is polled again: then true, and the driver should {@link #pollTransmit}.
     */
    public boolean transmitted(DeviceCharge charge, int payloadBytes) {
        StackEntry e = (StackEntry) charge;
        if (e.conn.deviceDone(payloadBytes)) {
            markDirty(e);
            return true;
        }
        return false;
    }

    /** The earliest deadline of any timer, {@link Nanos#NEVER} if none. */
    public long pollTimeout() {
        return Math.min(timers.minDeadline(), connectionTimers.minDeadline());
    }

    /** The next application event, or null. */
    public StackEvent pollEvent() {
        return events.poll();
    }

    // ====================================================================== application side

    /**
     * Starts listening; {@code local}'s address may be the wildcard (0.0.0.0 or ::). An
     * IPv4-mapped address ({@link V4Mapped}) listens on its IPv4 address, as an AF_INET6 socket
     * bound to one does on Linux.
     */
    public ListenerHandle listen(InetSocketAddress local, int backlog) {
        local = V4Mapped.unmapped(local);
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

    /**
     * Stops listening; connections not yet accepted are aborted: a RST, with MP_FASTCLOSE on an
     * MPTCP connection (Linux's {@code inet_csk_listen_stop} disconnects the sockets left in its
     * accept queue, which resets them).
     */
    public void closeListener(long nowNanos, ListenerHandle handle) {
        StackListener l = listeners.remove(handle.id());
        if (l == null) {
            return;
        }
        for (StackConnection c : List.copyOf(byId.values())) {
            if (c.listener == l) {
                c.listener = null;
                c.appReleased = true;
                c.mptcp.abort(nowNanos);
                touch(c);
                releaseIfDone(c); // one the peer already closed or reset
            }
        }
        l.acceptQueue.clear();
    }

    /** An established connection waiting on the listener, or null. */
    public ConnHandle accept(ListenerHandle handle) {
        StackListener l = listener(handle);
        StackConnection c = l.acceptQueue.poll();
        if (c == null) {
            return null;
        }
        c.listener = null;
        l.pending--;
        c.visible = true;
        if (c.mptcp.readable() > 0 || c.mptcp.isPeerFinReceived()) {
            events.add(new StackEvent.Readable(c.handle));
        }
        if (c.mptcp.isPeerFinReceived()) {
            events.add(new StackEvent.PeerClosed(c.handle));
        }
        if (c.mptcp.error() != null) {
            // Reset while it waited (see releaseIfDone): told now that the application has it, and
            // released when the application has read what it holds, or closes it.
            events.add(new StackEvent.Reset(c.handle, ResetReason.of(c.mptcp.error())));
        }
        return c.handle;
    }

    /**
     * Opens a connection (the SYN leaves at the next {@link #pollTransmit}); with MPTCP enabled it
     * offers MP_CAPABLE and falls back to plain TCP if the peer does not answer it. A local port of
     * 0 picks an ephemeral port; a null or wildcard local address picks the first address of the
     * remote's family.
     */
    public ConnHandle connect(long nowNanos, InetSocketAddress local, InetSocketAddress remote) {
        return connect(nowNanos, local, remote, CongestionAlgorithm.byName(config.congestionControl()).orElseThrow());
    }

    /**
     * {@link #connect(long, InetSocketAddress, InetSocketAddress)} with this connection's own
     * congestion control (Linux: {@code setsockopt(TCP_CONGESTION)} before {@code connect}); every
     * subflow it joins runs the same, coupled through the connection's group if the algorithm is.
     */
    public ConnHandle connect(long nowNanos, InetSocketAddress givenLocal, InetSocketAddress givenRemote,
            CongestionAlgorithm congestionControl) {
        // An IPv4-mapped peer or local address is IPv4 on the wire: the connection is an IPv4 one.
        InetSocketAddress local = V4Mapped.unmapped(givenLocal);
        InetSocketAddress remote = V4Mapped.unmapped(givenRemote);
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
                releaseSubflow(old);
            }
        }
        boolean mptcp = config.mptcpEnabled();
        if (mptcp && blackholes.disabled(nowNanos)) {
            mib.increment(MibCounter.MPTCP_CAPABLE_SYN_TX_DISABLED);
            mptcp = false;
        }
        MptcpConnection m = MptcpConnection.client(host, mib, mptcpConfig, rng, tokens, mptcp,
                config.sendBufferBytes(), config.receiveBufferBytes(), config.receiveBufferMaxBytes());
        m.setNow(nowNanos);
        m.ccGroup().use(congestionControl.factory());
        StackConnection c = registerConnection(m);
        c.visible = true;
        SubflowExtension ext = m.initialExtension();
        TcpConnection t = openTcp(nowNanos, key, ext, m);
        m.attachInitial(t);
        markDirty(registerSubflow(c, key, t));
        return c.handle;
    }

    private TcpConnection openTcp(long nowNanos, FourTuple key, SubflowExtension ext, MptcpConnection m) {
        TcpConfig tc = tcpConfig(key);
        InetSocketAddress l = new InetSocketAddress(key.localAddress(), key.localPort());
        InetSocketAddress r = new InetSocketAddress(key.remoteAddress(), key.remotePort());
        int iss = isn.isn(nowNanos, key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort());
        int tsOffset = isn.tsOffset(key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort());
        return TcpConnection.connect(tc, tcpEvents, mib, ext, l, r, iss, tsOffset, m.ccGroup(), nowNanos);
    }

    /** Queues data; bytes taken (0 when the send buffer is full), -1 when the connection cannot send. */
    public int write(long nowNanos, ConnHandle h, ByteBuffer src) {
        StackConnection c = appConnection(h);
        if (c == null) {
            return -1;
        }
        int n = c.mptcp.write(nowNanos, src);
        if (n > 0) {
            touchAfterAppCall(c);
        } else {
            rearmAll(c);
        }
        return n;
    }

    /**
     * Bytes written on {@code h} that the peer has not acknowledged yet; 0 also for an unknown
     * handle. Nothing queued means a small write now leaves at once (Nagle, RFC 896).
     */
    public long sendQueued(ConnHandle h) {
        StackConnection c = appConnection(h);
        return c == null ? 0 : c.mptcp.sendQueued();
    }

    /** Reads data; 0 when none yet, -1 at end of stream or after a reset. */
    public int read(long nowNanos, ConnHandle h, ByteBuffer dst) {
        StackConnection c = appConnection(h);
        return c == null ? -1 : afterRead(c, c.mptcp.read(nowNanos, dst));
    }

    /**
     * Reads up to {@code maxBytes} without copying them anywhere: for an application that only
     * counts what arrives (Linux {@code recv} with {@code MSG_TRUNC} on a TCP socket, iperf3's
     * {@code --skip-rx-copy}). The connection sees a read: the window opens and the buffer tunes as
     * for {@link #read}. Returns the count; 0 when none yet, -1 at end of stream or after a reset.
     *
     * @throws IllegalArgumentException when {@code maxBytes} is negative
     */
    public int discard(long nowNanos, ConnHandle h, int maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes " + maxBytes);
        }
        StackConnection c = appConnection(h);
        return c == null ? -1 : afterRead(c, c.mptcp.discard(nowNanos, maxBytes));
    }

    private int afterRead(StackConnection c, int n) {
        if (c.mptcp.isClosed() && c.mptcp.readable() == 0) {
            releaseConnection(c); // the last bytes of a closed connection are read: the handle goes now
        } else {
            touchAfterAppCall(c);
        }
        return n;
    }

    /** FIN (DATA_FIN) after the queued data (half-close); reading continues. */
    public void shutdownOutput(long nowNanos, ConnHandle h) {
        StackConnection c = appConnection(h);
        if (c != null) {
            c.mptcp.shutdownOutput(nowNanos);
            touch(c);
        }
    }

    /** Graceful close; the handle becomes invalid for the application (a Closed event follows). */
    public void close(long nowNanos, ConnHandle h) {
        StackConnection c = appConnection(h);
        if (c != null) {
            c.appReleased = true;
            c.mptcp.close(nowNanos);
            touch(c);
            releaseIfDone(c);
        }
    }

    /** Sends a RST (with MP_FASTCLOSE on an MPTCP connection) and forgets the connection. */
    public void abort(long nowNanos, ConnHandle h) {
        StackConnection c = appConnection(h);
        if (c != null) {
            c.mptcp.abort(nowNanos);
            c.appReleased = true;
            touch(c);
            releaseIfDone(c);
        }
    }

    /** Nagle's algorithm on or off for the connection's subflows, those to come included (TCP_NODELAY). */
    public void setNagle(ConnHandle h, boolean on) {
        StackConnection c = connection(h.id());
        if (c != null) {
            c.nagle = on;
            for (StackEntry e : c.subflows) {
                e.conn.setNagle(on);
            }
            touch(c);
        }
    }

    /**
     * Gives the connection the scheduler named {@code name} ({@link Scheduler#byName}: default,
     * roundrobin[:N], redundant, blest, ecf, handover, interactive, aggregate), at any time, also
     * while data flows; the stack's {@code MptcpConfig.scheduler} is what connections start with.
     * False (and nothing changes) for an unknown name or handle.
     */
    public boolean setScheduler(ConnHandle h, String name) {
        StackConnection c = connection(h.id());
        var factory = Scheduler.byName(name);
        if (c == null || factory.isEmpty()) {
            return false;
        }
        c.mptcp.setScheduler(factory.get().get());
        touch(c);
        return true;
    }

    /** The name of the connection's scheduler, or null for an unknown handle. */
    public String scheduler(ConnHandle h) {
        StackConnection c = connection(h.id());
        return c == null ? null : c.mptcp.scheduler().name();
    }

    /**
     * Sends every scheduling decision of the connection to {@code trace} (null: off, as it starts);
     * see {@link SchedulerTrace} and {@link org.mptcp4j.mptcp.SchedulerTraceCsv}. False for an
     * unknown handle.
     */
    public boolean setSchedulerTrace(ConnHandle h, SchedulerTrace trace) {
        StackConnection c = connection(h.id());
        if (c == null) {
            return false;
        }
        c.mptcp.setSchedulerTrace(trace);
        return true;
    }

    /**
     * Sends the scheduling decisions of every connection opened or accepted from now on to
     * {@code trace} (null: off); connections that exist keep theirs.
     */
    public void setSchedulerTrace(SchedulerTrace trace) {
        schedulerTrace = trace;
    }

    private SchedulerTrace schedulerTrace;

    /** A snapshot of the connection's first subflow (its only one for plain TCP), or null for an unknown handle. */
    public ConnectionInfo info(ConnHandle h) {
        StackConnection c = connection(h.id());
        if (c == null || c.subflows.isEmpty() && c.lastTcp == null) {
            return null;
        }
        TcpConnection t = c.subflows.isEmpty() ? c.lastTcp : c.subflows.get(0).conn;
        return new ConnectionInfo(t.state(), t.local(), t.remote(), t.srttNanos(), t.rttvarNanos(), t.rtoNanos(),
                t.cwndBytes(), t.ssthreshBytes(), t.mss(), t.bytesSent(), t.bytesAcked(), t.bytesReceived(),
                t.retransmits(), t.sndWnd(), t.rcvWnd(), errorOf(c, t).map(ResetReason::of), t.bytesRetransmitted(),
                t.bytesInFlight(), t.congestionController() != null ? t.congestionController().name()
                        : c.mptcp.ccGroup().factory().map(ControllerFactory::name).orElse(config.congestionControl()),
                t.sackEnabled(), t.timestampsEnabled(), t.sendWindowShift(), t.receiveWindowShift());
    }

    private static java.util.Optional<TcpError> errorOf(StackConnection c, TcpConnection t) {
        return c.mptcp.error() != null ? java.util.Optional.of(c.mptcp.error()) : t.error();
    }

    /** The MPTCP view of the connection (mode, tokens, subflows), like Linux's MPTCP_INFO; null for an unknown handle. */
    public MptcpInfo mptcpInfo(ConnHandle h) {
        StackConnection c = connection(h.id());
        return c == null ? null : c.mptcp.info();
    }

    /** The connection's receive-buffer tuning (the paper's section 4.1); null for an unknown handle or before MPTCP data. */
    public org.mptcp4j.mptcp.ReceiveBufferInfo receiveBufferInfo(ConnHandle h) {
        StackConnection c = connection(h.id());
        return c == null ? null : c.mptcp.receiveBufferInfo();
    }

    /** The connection behind a handle, or null: for tests that look at its subflows' queues. */
    MptcpConnection mptcpConnection(ConnHandle h) {
        StackConnection c = connection(h.id());
        return c == null ? null : c.mptcp;
    }

    /** Connections the stack holds (including TIME_WAIT and not yet accepted ones). */
    public int connectionCount() {
        return byId.size();
    }

    /** TCP connections (subflows, plain connections) the stack holds under a 4-tuple. */
    public int subflowCount() {
        return byTuple.size();
    }

    /**
     * Connections closed by their application whose FIN, and the data queued before it, the peer
     * has not acknowledged yet (FIN-WAIT-1, CLOSING, LAST-ACK). A driver that is about to stop waits
     * for this to reach zero, as the kernel keeps an orphaned socket sending after its process has
     * exited: data a {@code write} accepted is not thrown away by stopping.
     */
    public int pendingCloseCount() {
        int n = 0;
        for (StackConnection c : byId.values()) {
            for (StackEntry e : c.subflows) {
                TcpState s = e.conn.state();
                if (s == TcpState.FIN_WAIT_1 || s == TcpState.CLOSING || s == TcpState.LAST_ACK
                        || c.appReleased && c.mptcp.mode() != MptcpConnection.Mode.PLAIN && s.isSynchronized()
                                && s != TcpState.TIME_WAIT) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /**
     * For tests: checks every connection's invariants, and that the timer queues hold exactly the
     * subflows and connections with a timer armed, each under its current deadline (what a scan
     * would find).
     */
    public void checkInvariants() {
        timers.checkInvariants();
        connectionTimers.checkInvariants();
        int armed = 0;
        int connectionsArmed = 0;
        for (StackConnection c : byId.values()) {
            c.mptcp.checkInvariants();
            long cd = c.mptcp.nextDeadline();
            if (connectionTimers.deadline(c) != cd) {
                throw new AssertionError(c.mptcp + " is queued for " + connectionTimers.deadline(c)
                        + " but its next timer is at " + cd);
            }
            if (cd != Nanos.NEVER) {
                connectionsArmed++;
            }
            for (StackEntry e : c.subflows) {
                e.conn.checkInvariants();
                long d = e.conn.nextDeadline();
                if (timers.deadline(e) != d) {
                    throw new AssertionError(e.key + " is queued for " + timers.deadline(e) + " but its next timer is at " + d);
                }
                if (d != Nanos.NEVER) {
                    armed++;
                }
            }
        }
        if (armed != timers.size()) {
            throw new AssertionError(timers.size() + " subflows in the timer queue, " + armed + " with a timer armed");
        }
        if (connectionsArmed != connectionTimers.size()) {
            throw new AssertionError(connectionTimers.size() + " connections in the timer queue, " + connectionsArmed
                    + " with a timer armed");
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
        boolean mptcp = config.mptcpEnabled() && offersMpCapable(seg);
        MptcpConnection m = MptcpConnection.server(host, mib, mptcpConfig, rng, tokens, mptcp,
                config.sendBufferBytes(), config.receiveBufferBytes(), config.receiveBufferMaxBytes());
        m.setNow(nowNanos);
        StackConnection c = registerConnection(m);
        c.listener = l;
        l.pending++;
        TcpConnection t = acceptTcp(nowNanos, key, m.initialExtension(), m, seg);
        m.attachInitial(t);
        markDirty(registerSubflow(c, key, t));
    }

    private TcpConnection acceptTcp(long nowNanos, FourTuple key, SubflowExtension ext, MptcpConnection m,
            TcpSegment syn) {
        int iss = isn.isn(nowNanos, key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort());
        return TcpConnection.accept(tcpConfig(key), tcpEvents, mib, ext,
                new InetSocketAddress(key.localAddress(), key.localPort()),
                new InetSocketAddress(key.remoteAddress(), key.remotePort()), iss,
                isn.tsOffset(key.localAddress(), key.localPort(), key.remoteAddress(), key.remotePort()),
                m.ccGroup(), syn, nowNanos);
    }

    /**
     * An MP_JOIN SYN (RFC 8684 section 3.2): its token names the connection it joins; the new
     * subflow waits on that connection, not on a listener. It may arrive at the connection's port
     * on any of our addresses, or at a port the connection announced with the address (Linux's
     * listener for a {@code signal} endpoint with a port). An unknown token, or a join the
     * connection refuses ({@link MptcpConnection#refusalOf}: it takes no subflows now, flag C, a
     * port it did not announce), gets a RST with MP_TCPRST (Linux counts MPJoinNoTokenFound,
     * MPJoinRejected or MismatchPortSynRx), and no connection is touched; a join beyond the
     * subflow limit is refused at its third ACK ({@link MptcpConnection#acceptJoin}).
     */
    private void onJoinSyn(long nowNanos, FourTuple key, TcpSegment seg, MptcpOption.MpJoinSyn join) {
        MptcpConnection m = tokens.lookup(join.receiverToken());
        if (m == null) {
            mib.increment(MibCounter.MPTCP_JOIN_SYN_RX);
            mib.increment(MibCounter.MPTCP_JOIN_NO_TOKEN_FOUND);
            refuseJoin(key, seg, MptcpOption.MpTcpRst.REASON_MPTCP_SPECIFIC, false);
            return;
        }
        StackConnection c = connection(m.ownerId());
        m.setNow(nowNanos);
        JoinRefusal refusal = c == null ? JoinRefusal.NOT_ACCEPTING
                : m.refusalOf(new InetSocketAddress(key.localAddress(), key.localPort()));
        Subflow s = refusal == null ? m.acceptJoin(join, key.localAddress()) : null;
        if (s == null) {
            mib.increment(MibCounter.MPTCP_JOIN_SYN_RX);
            JoinRefusal why = refusal == null ? JoinRefusal.NOT_ACCEPTING : refusal;
            refuseJoin(key, seg, why.resetReason(), why.transientError());
            return;
        }
        TcpConnection t = acceptTcp(nowNanos, key, s, m, seg);
        m.attachJoin(s, t);
        markDirty(registerSubflow(c, key, t));
    }

    /**
     * A RST with MP_TCPRST (RFC 8684 section 3.6): 1 "MPTCP-specific error" (no such token, or the
     * connection takes no subflows), 2 "lack of resources", 3 "administratively prohibited"
     * ({@link JoinRefusal}); the transient bit when a later join may succeed.
     */
    private void refuseJoin(FourTuple key, TcpSegment syn, int reason, boolean transientError) {
        mib.increment(MibCounter.MPTCP_RST_TX);
        int flags = transientError ? MptcpOption.MpTcpRst.FLAG_TRANSIENT : 0;
        queueControl(key, new TcpSegment(syn.dstPort(), syn.srcPort(), 0, Seq32.add(syn.seq(), 1),
                TcpFlags.RST | TcpFlags.ACK, 0, 0, List.of(new MptcpOption.MpTcpRst(flags, reason)), TcpSegment.EMPTY));
    }

    private static MptcpOption.MpJoinSyn joinOf(TcpSegment seg) {
        for (TcpOption o : seg.options()) {
            if (o instanceof MptcpOption.MpJoinSyn j) {
                return j;
            }
        }
        return null;
    }

    /**
     * Whether a SYN offers MP_CAPABLE version 1. Another version is not ours to speak, and a
     * malformed option is none: the connection is plain TCP (RFC 8684 section 3.1; Linux ignores
     * the option too), counted.
     */
    private boolean offersMpCapable(TcpSegment seg) {
        for (TcpOption o : seg.options()) {
            if (o instanceof MptcpOption.MpCapable c) {
                if (c.version() == MptcpOption.VERSION_1) {
                    return true;
                }
                mib.increment(MibCounter.MPTCP_CAPABLE_BAD_VERSION);
            } else if (o instanceof TcpOption.Unknown u && u.kind() == TcpOption.KIND_MPTCP) {
                mib.increment(MibCounter.MPTCP_OPTION_MALFORMED); // refused by the decoder (TcpOptions)
            }
        }
        return false;
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

    private StackConnection registerConnection(MptcpConnection m) {
        StackConnection c = new StackConnection(new ConnHandle(nextId++), m);
        c.nagle = config.nagle();
        m.setOwnerId(c.handle.id());
        m.setSchedulerTrace(schedulerTrace);
        byId.put(c.handle.id(), c);
        c.registered = true;
        return c;
    }

    private StackEntry registerSubflow(StackConnection c, FourTuple key, TcpConnection t) {
        StackEntry e = new StackEntry(c, key, t, ipHeader(key), nextOrder++);
        t.setOwnerId(c.handle.id());
        t.setSegmentationOffload(gsoMaxPayload);
        t.setSmallQueues(smallQueues);
        t.setNagle(c.nagle);
        byTuple.put(key, e);
        recentInbound[inboundSlot(key.localPort(), key.remotePort())] = null; // never an entry the map no longer holds
        c.subflows.add(e);
        e.registered = true;
        return e;
    }

    /** A subflow's TCP connection is closed and polled out: it leaves the tables; its connection may go with it. */
    private void releaseSubflow(StackEntry e) {
        if (!e.registered) {
            return;
        }
        e.registered = false;
        byTuple.remove(e.key, e);
        forgetInbound(e);
        timers.remove(e);
        if (e.inDirty) {
            dirty.remove(e);
            e.inDirty = false;
        }
        StackConnection c = e.owner;
        c.subflows.remove(e);
        if (c.subflows.isEmpty()) {
            c.lastTcp = e.conn;
        }
        releaseIfDone(c);
    }

    private void forgetInbound(StackEntry e) {
        int slot = inboundSlot(e.key.localPort(), e.key.remotePort());
        if (recentInbound[slot] == e) {
            recentInbound[slot] = null;
        }
    }

    private static int inboundSlot(int localPort, int remotePort) {
        return (localPort * 31 ^ remotePort) & 63;
    }

    /** Releases the connection once it is over, unless unread data the peer was told we have still waits. */
    private void releaseIfDone(StackConnection c) {
        if (c.registered && c.subflows.isEmpty() && c.mptcp.isClosed()) {
            if (c.listener != null && c.established) {
                // Reset (or timed out) while in the accept queue: Linux leaves it there, and accept()
                // returns it (inet_csk_accept looks not at the child's state); reads then give what
                // it received, and a Reset event the reason. Released once accepted and read to the
                // end or closed, or with its listener.
                return;
            }
            if (c.visible && !c.appReleased && c.mptcp.readable() > 0) {
                // Data acknowledged to the peer is the application's, even after a reset or the end of
                // TIME-WAIT: the handle stays until it is read or closed, as a Linux socket keeps its
                // receive queue. read() completes the release.
                return;
            }
            releaseConnection(c);
        }
    }

    private void releaseConnection(StackConnection c) {
        if (!c.registered) {
            return;
        }
        for (StackEntry e : List.copyOf(c.subflows)) {
            e.registered = false;
            byTuple.remove(e.key, e);
            forgetInbound(e);
            timers.remove(e);
            if (e.inDirty) {
                dirty.remove(e);
                e.inDirty = false;
            }
        }
        c.registered = false;
        byId.remove(c.handle.id());
        if (lastFound == c) {
            lastFound = null;
        }
        connectionTimers.remove(c);
        if (c.listener != null) {
            c.listener.pending--;
            c.listener.acceptQueue.remove(c);
            c.listener = null;
        }
        if (c.visible) {
            events.add(new StackEvent.Closed(c.handle));
        }
    }

    /** After anything that may have changed the subflow's timers: it asks to be polled, and is re-keyed. */
    private void markDirty(StackEntry e) {
        rearm(e);
        if (e.registered && !e.inDirty) {
            e.inDirty = true;
            dirty.addLast(e);
        }
    }

    /** An application call or connection timer touched the connection: each subflow is polled and re-keyed. */
    private void touch(StackConnection c) {
        c.mptcp.afterInput(c.mptcp.now());
        for (int i = 0; i < c.subflows.size(); i++) {
            markDirty(c.subflows.get(i));
        }
        rearm(c);
    }

    /**
     * After a write or a read. An MPTCP connection wakes the subflows these concern itself (every
     * usable one after a write, so the scheduler is asked; the one to carry a window update after
     * a read), so only the connection is re-keyed: polling and re-keying every subflow after every
     * call, on top of that, cost the receiver of an 8-subflow transfer a poll of all 8 per read,
     * each asking the connection for its deadline. A plain or fallen-back connection has one
     * subflow, whose TCP decides for itself: it is polled.
     */
    private void touchAfterAppCall(StackConnection c) {
        if (c.mptcp.mode() != MptcpConnection.Mode.MPTCP) {
            touch(c);
            return;
        }
        c.mptcp.afterInput(c.mptcp.now());
        rearm(c);
    }

    private void rearmAll(StackConnection c) {
        for (int i = 0; i < c.subflows.size(); i++) {
            rearm(c.subflows.get(i));
        }
        rearm(c);
    }

    /** Re-keys the subflow in the timer queue under its current earliest deadline (out of it when none). */
    private void rearm(StackEntry e) {
        if (e.registered) {
            timers.set(e, e.conn.nextDeadline());
        }
    }

    private void rearm(StackConnection c) {
        if (c.registered) {
            connectionTimers.set(c, c.mptcp.nextDeadline());
        }
    }

    /** The registered connection of handle id {@code id}, or null. */
    private StackConnection connection(long id) {
        StackConnection c = lastFound;
        if (c != null && c.handle.id() == id) {
            return c;
        }
        c = byId.get(id);
        if (c != null) {
            lastFound = c;
        }
        return c;
    }

    private StackConnection appConnection(ConnHandle h) {
        StackConnection c = connection(h.id());
        return c == null || !c.visible || c.appReleased ? null : c;
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

    private StackEntry entryOf(StackConnection c, TcpConnection t) {
        for (int i = 0; i < c.subflows.size(); i++) {
            StackEntry e = c.subflows.get(i);
            if (e.conn == t) {
                return e;
            }
        }
        return null;
    }

    private record Control(IpHeader ip, TcpSegment segment) {}

    private boolean toApp(StackConnection c) {
        return c != null && c.visible && !c.appReleased;
    }

    /** Subflow (TCP) callbacks go to their connection, which decides what the application learns. */
    private final class EventsAdapter implements TcpEvents {
        public void onEstablished(TcpConnection t) {
            StackConnection c = connection(t.ownerId());
            if (c != null) {
                c.mptcp.onSubflowEstablished(t);
            }
        }

        public void onReadable(TcpConnection t) {
            StackConnection c = connection(t.ownerId());
            if (c != null) {
                c.mptcp.onSubflowReadable(t);
            }
        }

        public void onWritable(TcpConnection t) {
            StackConnection c = connection(t.ownerId());
            if (c != null) {
                c.mptcp.onSubflowWritable(t);
            }
        }

        public void onPeerFin(TcpConnection t) {
            StackConnection c = connection(t.ownerId());
            if (c != null) {
                c.mptcp.onSubflowPeerFin(t);
            }
        }

        public void onError(TcpConnection t, TcpError error) {
            StackConnection c = connection(t.ownerId());
            if (c != null) {
                c.mptcp.onSubflowError(t, error);
            }
        }

        public void onClosed(TcpConnection t) {
            StackConnection c = connection(t.ownerId());
            if (c == null) {
                return;
            }
            c.mptcp.onSubflowClosed(t);
            StackEntry e = entryOf(c, t);
            if (e != null) {
                markDirty(e); // released once its last segment (a RST, say) has been polled
            }
        }
    }

    /** The stack as its connections see it. */
    private final class Host implements MptcpHost {
        private StackConnection of(MptcpConnection m) {
            return connection(m.ownerId());
        }

        @Override
        public boolean openSubflow(MptcpConnection m, Subflow s, InetAddress local, InetSocketAddress remote,
                long nowNanos) {
            StackConnection c = of(m);
            if (c == null || !addresses.contains(local) || !sameFamily(local, remote.getAddress())) {
                return false;
            }
            FourTuple key;
            try {
                key = ephemeralTuple(local, remote);
            } catch (IllegalStateException noPort) {
                return false;
            }
            TcpConnection t = openTcp(nowNanos, key, s, m);
            m.attachJoin(s, t);
            markDirty(registerSubflow(c, key, t));
            return true;
        }

        @Override
        public void wake(Subflow s) {
            StackConnection c = of(s.connection());
            StackEntry e = c == null ? null : entryOf(c, s.tcp());
            if (e != null) {
                markDirty(e);
            }
        }

        @Override
        public void rearm(MptcpConnection m) {
            StackConnection c = of(m);
            if (c != null) {
                Stack.this.rearm(c);
            }
        }

        @Override
        public void onPmEvent(PmEvent event) {
            if (!pmMonitor) {
                return;
            }
            if (pmEvents.size() >= MAX_PM_EVENTS) {
                pmEventsDropped++;
                return;
            }
            pmEvents.add(event);
        }

        @Override
        public List<InetAddress> localAddresses() {
            return List.copyOf(addresses);
        }

        @Override
        public void onMpCapableBlackhole(long nowNanos) {
            if (blackholes.onBlackhole(nowNanos)) {
                mib.increment(MibCounter.MPTCP_BLACKHOLE);
            }
        }

        @Override
        public void onMpCapableAnswered() {
            blackholes.onMptcpWorked();
        }

        @Override
        public void onEstablished(MptcpConnection m) {
            StackConnection c = of(m);
            if (c == null) {
                return;
            }
            c.established = true;
            if (c.listener != null) {
                // Still counted against the backlog until accepted (Linux counts both queues).
                c.listener.acceptQueue.add(c);
                events.add(new StackEvent.Incoming(c.listener.handle));
            } else if (toApp(c)) {
                events.add(new StackEvent.Connected(c.handle));
            }
        }

        @Override
        public void onReadable(MptcpConnection m) {
            tell(m, StackEvent.Readable::new);
        }

        @Override
        public void onWritable(MptcpConnection m) {
            tell(m, StackEvent.Writable::new);
        }

        @Override
        public void onPeerClosed(MptcpConnection m) {
            tell(m, StackEvent.PeerClosed::new);
        }

        /** Queues the event for the application, if it still holds the connection. */
        private void tell(MptcpConnection m, java.util.function.Function<ConnHandle, StackEvent> event) {
            StackConnection c = of(m);
            if (toApp(c)) {
                events.add(event.apply(c.handle));
            }
        }

        @Override
        public void onError(MptcpConnection m, TcpError error) {
            StackConnection c = of(m);
            if (toApp(c)) {
                ResetReason r = ResetReason.of(error);
                events.add(c.established ? new StackEvent.Reset(c.handle, r) : new StackEvent.ConnectFailed(c.handle, r));
            }
        }
    }
}
