package org.mptcp4j.sim;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.wire.TcpSegmentation;

/**
 * An end system with one or more addresses and one {@link Endpoint}.
 *
 * <p>Outgoing packets leave on the link bound to their source address ({@link #bind}): a host
 * with one address per disjoint path sends each subflow on its own path, as in the paper's
 * Fig. 3. A packet whose source is not bound follows the host's routes ({@link #route}).
 * Incoming packets addressed to any of the host's addresses reach the endpoint, whichever link
 * they came on (the weak host model of Linux); others are dropped and counted.
 */
public final class Host extends Node implements HostContext {
    private final List<InetAddress> addresses = new ArrayList<>();
    private final List<InetAddress> addressView = Collections.unmodifiableList(addresses);
    private byte[][] addressBytes = new byte[0][];
    private Link[] boundLinks = new Link[0];
    /** Each IPv4 address of {@link #addressBytes} as an int (0 for IPv6), for {@link #indexOf}. */
    private int[] addressInts = new int[0];
    private final Rng rng;
    private Endpoint endpoint;

    /**
     * The wake-up: {@code wakeAtNanos} is the time the endpoint asked for; {@code eventAtNanos}
     * the time of the one event that counts ({@code wakeSeq}, -1 when none). A later request
     * leaves the event alone and is found when it fires; only an earlier one schedules anew
     * (the superseded event is ignored when it comes: lazy cancel by seq).
     */
    private long wakeSeq = -1;
    private long eventAtNanos = Nanos.NEVER;
    private long wakeAtNanos = Nanos.NEVER;
    private final EventHandler wakeup = (now, arg) -> onWakeupEvent(now);

    private long packetsReceived;
    private long packetsSent;
    private long droppedNotForUs;
    private long droppedNoRoute;
    private long droppedMalformed;
    private long wakeupEvents;
    private long wakeups;

    Host(Simulation sim, String name) {
        super(sim, name);
        this.rng = sim.rng("host:" + name);
    }

    /** Adds an address (an IPv4 or IPv6 literal) to this host. */
    public Host address(String literal) {
        byte[] a = Prefix.addressBytes(literal);
        try {
            addresses.add(InetAddress.getByAddress(a));
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        addressBytes = Arrays.copyOf(addressBytes, addressBytes.length + 1);
        addressBytes[addressBytes.length - 1] = a;
        addressInts = Arrays.copyOf(addressInts, addressInts.length + 1);
        addressInts[addressInts.length - 1] = a.length == 4
                ? (a[0] & 0xff) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | a[3] & 0xff : 0;
        boundLinks = Arrays.copyOf(boundLinks, boundLinks.length + 1);
        return this;
    }

    /** Packets whose source is {@code addressLiteral} (already one of ours) leave on {@code link}. */
    public Host bind(String addressLiteral, Link link) {
        byte[] a = Prefix.addressBytes(addressLiteral);
        for (int i = 0; i < addressBytes.length; i++) {
            if (Arrays.equals(addressBytes[i], a)) {
                boundLinks[i] = checkOwn(link);
                return this;
            }
        }
        throw new IllegalArgumentException(addressLiteral + " is not an address of " + this);
    }

    /** Packets to {@code destinationPrefix} whose source is not bound leave on {@code link}. */
    public Host route(String destinationPrefix, Link link) {
        routes.add(Prefix.parse(destinationPrefix), checkOwn(link));
        return this;
    }

    /** Runs {@code e} on this host; calls its {@link Endpoint#attach} now. */
    public Host attach(Endpoint e) {
        if (endpoint != null) {
            throw new IllegalStateException(this + " already runs " + endpoint);
        }
        endpoint = e;
        e.attach(this);
        return this;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    private Link checkOwn(Link link) {
        if (link.from() != this) {
            throw new IllegalArgumentException(link + " does not leave " + this);
        }
        return link;
    }

    @Override
    public long nowNanos() {
        return sim.nowNanos();
    }

    @Override
    public void send(ByteBuffer ipPacket) {
        send(ipPacket, false);
    }

    @Override
    public void sendChecksummed(ByteBuffer ipPacket) {
        send(ipPacket, true);
    }

    /** The packet {@link #sendSegmented} is building a piece in. */
    private Packet piece;
    private final TcpSegmentation.PieceBuffers pieceBuffers = length -> {
        piece = sim.pool().acquire(length);
        return piece.buffer;
    };
    private final TcpSegmentation.Sink sendPiece = b -> {
        Packet p = piece;
        piece = null;
        p.checksumValidated = true;
        send(p);
    };

    private final TcpSegmentation.Sink sendPartialPiece = b -> {
        Packet p = piece;
        piece = null;
        sendPartial(p);
    };

    /** Who is told when the pieces {@link #sendChecksumPartial} is sending leave the device, and with what. */
    private TransmitCompletion pieceCompletion;
    private Object pieceCharge;

    @Override
    public int sendSegmented(ByteBuffer ipPacket, int gsoSize) {
        return TcpSegmentation.segment(ipPacket, gsoSize, pieceBuffers, sendPiece);
    }

    @Override
    public int sendChecksumPartial(ByteBuffer ipPacket, int gsoSize) {
        return sendChecksumPartial(ipPacket, gsoSize, null, null);
    }

    @Override
    public int sendChecksumPartial(ByteBuffer ipPacket, int gsoSize, TransmitCompletion completion, Object charge) {
        // Restored, not cleared, after: a piece dropped on the way tells its sender at once, and a
        // sender that sent again from there must not leave the rest of these pieces uncharged.
        TransmitCompletion outerCompletion = pieceCompletion;
        Object outerCharge = pieceCharge;
        pieceCompletion = completion;
        pieceCharge = charge;
        try {
            if (gsoSize > 0) {
                return TcpSegmentation.segment(ipPacket, gsoSize, pieceBuffers, sendPartialPiece, true);
            }
            sendPartial(sim.pool().copyOf(ipPacket));
            return 1;
        } finally {
            pieceCompletion = outerCompletion;
            pieceCharge = outerCharge;
        }
    }

    /** Sends a TCP packet whose checksum its sender left partial: vouched for, completed where it is looked at. */
    private void sendPartial(Packet p) {
        p.checksumValidated = true;
        int tcp = IpPacket.tcpOffset(p.data, p.length);
        p.partialChecksumAt = tcp;
        if (pieceCompletion != null) {
            p.completion = pieceCompletion;
            p.charge = pieceCharge;
            p.chargeBytes = p.length - tcp - (p.data[tcp + 12] >>> 4 & 0xf) * 4;
        }
        send(p);
    }

    private void send(ByteBuffer ipPacket, boolean checksumValidated) {
        Packet p = sim.pool().copyOf(ipPacket);
        p.checksumValidated = checksumValidated;
        send(p);
    }

    private void send(Packet p) {
        int version = IpPacket.version(p.data, p.length);
        if (version == 0) {
            droppedMalformed++;
            sim.pool().release(p);
            return;
        }
        Link out = boundLink(p.data, version);
        if (out == null) {
            out = routes.lookup(p.data, version);
        }
        if (out == null) {
            droppedNoRoute++;
            sim.pool().release(p);
            return;
        }
        packetsSent++;
        out.receive(p);
    }

    private Link boundLink(byte[] p, int version) {
        int offset = IpPacket.sourceOffset(version);
        int i = indexOf(p, offset, IpPacket.addressLength(version));
        return i < 0 ? null : boundLinks[i];
    }

    /**
     * The index of the address at {@code p[offset..offset+len)}, or -1. Runs twice per packet (the
     * source of what leaves, the destination of what arrives) over every address, so with one
     * address per subflow its cost grows with the subflows: an IPv4 address is compared as one
     * int rather than byte by byte.
     */
    private int indexOf(byte[] p, int offset, int len) {
        if (len == 4) {
            int v4 = IpPacket.int32(p, offset);
            for (int i = 0; i < addressInts.length; i++) {
                if (addressInts[i] == v4 && addressBytes[i].length == 4) {
                    return i;
                }
            }
            return -1;
        }
        for (int i = 0; i < addressBytes.length; i++) {
            if (matches(addressBytes[i], p, offset, len)) {
                return i;
            }
        }
        return -1;
    }

    private static boolean matches(byte[] a, byte[] p, int offset, int len) {
        if (a.length != len) {
            return false;
        }
        for (int j = 0; j < len; j++) {
            if (a[j] != p[offset + j]) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void receive(Packet p) {
        int version = IpPacket.version(p.data, p.length);
        if (version == 0) {
            droppedMalformed++;
        } else if (indexOf(p.data, IpPacket.sourceOffset(version) + IpPacket.addressLength(version),
                IpPacket.addressLength(version)) < 0) {
            droppedNotForUs++;
        } else {
            packetsReceived++;
            if (endpoint != null) {
                if (!endpoint.takesPartialChecksums()) {
                    p.completeChecksum();
                }
                endpoint.onPacket(sim.nowNanos(), p.view(), p.checksumValidated);
            }
        }
        sim.pool().release(p);
    }

    @Override
    public void wakeAt(long atNanos) {
        if (atNanos == Nanos.NEVER) {
            wakeAtNanos = Nanos.NEVER; // a pending event finds nothing to do
            return;
        }
        long at = Math.max(atNanos, sim.nowNanos());
        wakeAtNanos = at;
        // A TCP stack moves its deadline later on nearly every ACK (RFC 6298 5.3 restarts the
        // timer): rescheduling each time left most wake-up events stale. Only an earlier
        // deadline needs an event of its own; a later one is re-read when the pending one fires.
        if (wakeSeq < 0 || at < eventAtNanos) {
            eventAtNanos = at;
            wakeSeq = sim.schedule(at, wakeup, null);
        }
    }

    private void onWakeupEvent(long now) {
        wakeupEvents++;
        if (sim.currentEventSeq() != wakeSeq) {
            return; // superseded by an earlier request
        }
        wakeSeq = -1;
        eventAtNanos = Nanos.NEVER;
        if (wakeAtNanos == Nanos.NEVER) {
            return;
        }
        if (wakeAtNanos > now) {
            eventAtNanos = wakeAtNanos; // the deadline moved later since this event was scheduled
            wakeSeq = sim.schedule(wakeAtNanos, wakeup, null);
            return;
        }
        wakeAtNanos = Nanos.NEVER;
        wakeups++;
        if (endpoint != null) {
            endpoint.onWakeup(now);
        }
    }

    /** Wake-up events run, those that found the deadline moved included. */
    public long wakeupEvents() {
        return wakeupEvents;
    }

    /** Times the endpoint was woken: {@link #wakeupEvents()} minus the stale ones. */
    public long wakeups() {
        return wakeups;
    }

    /** The pending wake-up time, or {@link Nanos#NEVER}. */
    public long pendingWakeupNanos() {
        return wakeAtNanos;
    }

    @Override
    public List<InetAddress> addresses() {
        return addressView;
    }

    @Override
    public Rng rng() {
        return rng;
    }

    /** Linux: {@code IpInDelivers}. */
    public long packetsReceived() {
        return packetsReceived;
    }

    /** Linux: {@code IpOutRequests}. */
    public long packetsSent() {
        return packetsSent;
    }

    /** Addressed to none of our addresses. Linux: {@code IpInAddrErrors}. */
    public long droppedNotForUs() {
        return droppedNotForUs;
    }

    /** Linux: {@code IpOutNoRoutes}. */
    public long droppedNoRoute() {
        return droppedNoRoute;
    }

    /** Linux: {@code IpInHdrErrors}. */
    public long droppedMalformed() {
        return droppedMalformed;
    }
}
