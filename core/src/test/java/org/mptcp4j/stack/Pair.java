package org.mptcp4j.stack;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.wire.TcpSegmentation;

/**
 * Two {@link Stack}s joined by a wire in virtual time (quinn's {@code Pair}, smoltcp's netsim):
 * {@link #step()} delivers what is due and jumps time to the next packet or timer. Each direction
 * has a delay, an optional rate, seeded random loss and reordering, one-shot drops, and an MTU
 * (1500 bytes by default) above which packets are dropped and counted. Every step checks both
 * stacks' invariants.
 */
public final class Pair {
    public static final InetAddress CLIENT_ADDR = address("10.0.0.1");
    public static final InetAddress SERVER_ADDR = address("10.0.0.2");
    public static final InetAddress CLIENT_ADDR6 = address("fd00::1");
    public static final InetAddress SERVER_ADDR6 = address("fd00::2");
    public static final int SERVER_PORT = 5001;

    public final InetAddress clientAddr;
    public final InetAddress serverAddr;

    public final Stack client;
    public final Stack server;
    public final Link toServer;
    public final Link toClient;
    public final List<StackEvent> clientEvents = new ArrayList<>();
    public final List<StackEvent> serverEvents = new ArrayList<>();
    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>();
    private final ByteBuffer scratch = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
    private final ByteBuffer gsoScratch = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
    private long now;
    private long seq;

    /** One direction of the wire. */
    public static final class Link {
        public long delayNanos = Nanos.ofMillis(5);
        /** Bits per second; 0 = infinitely fast. */
        public long rateBps;
        public double lossRate;
        public double reorderRate;
        public long reorderExtraNanos = Nanos.ofMillis(3);
        /** The largest IP packet the wire carries, as on an Ethernet path; larger ones are dropped. */
        public int mtu = 1500;
        private final Rng rng;
        private int dropNext;
        private long busyUntil;
        public long delivered;
        public long dropped;
        /** Packets above {@link #mtu}: a stack that sizes its segments right never sends one. */
        public long mtuDrops;
        /** Large segments the sender's segmentation offload handed this direction (each cut into pieces). */
        public long gsoPackets;
        /** Sees every packet offered to this direction (at {@link #now()}); true drops it. */
        public Predicate<byte[]> dropIf = bytes -> false;
        /**
         * Sees every packet not dropped and gives the extra delay it takes (0 for none), to make the
         * network reorder one packet behind later ones.
         */
        public java.util.function.ToLongFunction<byte[]> extraDelayNanos = bytes -> 0;
        /** Sees every packet not dropped and may alter it, as a middlebox on the path would. */
        public java.util.function.UnaryOperator<byte[]> rewrite = bytes -> bytes;

        Link(Rng rng) {
            this.rng = rng;
        }

        /** Drops the next {@code n} packets. */
        public void dropNext(int n) {
            dropNext += n;
        }
    }

    public Pair(StackConfig config, long seed) {
        this(config, config, seed);
    }

    public Pair(StackConfig clientConfig, StackConfig serverConfig, long seed) {
        this(clientConfig, serverConfig, seed, false);
    }

    public Pair(StackConfig clientConfig, StackConfig serverConfig, long seed, boolean ipv6) {
        Rng rng = Rng.seeded(seed);
        client = new Stack(clientConfig, rng.split());
        server = new Stack(serverConfig, rng.split());
        clientAddr = ipv6 ? CLIENT_ADDR6 : CLIENT_ADDR;
        serverAddr = ipv6 ? SERVER_ADDR6 : SERVER_ADDR;
        client.addAddress(clientAddr);
        server.addAddress(serverAddr);
        toServer = new Link(rng.split());
        toClient = new Link(rng.split());
    }

    public long now() {
        return now;
    }

    public InetSocketAddress serverAddress() {
        return new InetSocketAddress(serverAddr, SERVER_PORT);
    }

    /** Call after application calls outside {@link #step()}: sends what they produced. */
    public void flush() {
        flush(client, toServer, server);
        flush(server, toClient, client);
        drainEvents();
    }

    /** Advances to the next packet delivery or timer; false when nothing is left to happen. */
    public boolean step() {
        flush();
        long next = inFlight.isEmpty() ? Nanos.NEVER : inFlight.peek().at;
        next = Math.min(next, Math.min(client.pollTimeout(), server.pollTimeout()));
        if (next == Nanos.NEVER) {
            return false;
        }
        now = Math.max(now, next);
        while (!inFlight.isEmpty() && inFlight.peek().at <= now) {
            InFlight p = inFlight.poll();
            p.to.handleInbound(now, ByteBuffer.wrap(p.bytes));
        }
        if (client.pollTimeout() <= now) {
            client.handleTimeout(now);
        }
        if (server.pollTimeout() <= now) {
            server.handleTimeout(now);
        }
        flush();
        client.checkInvariants();
        server.checkInvariants();
        return true;
    }

    /** Steps until {@code done} holds; fails after {@code maxVirtualNanos} or {@code maxSteps}. */
    public void driveUntil(BooleanSupplier done, long maxVirtualNanos, long maxSteps) {
        long deadline = now + maxVirtualNanos;
        for (long i = 0; i < maxSteps && !done.getAsBoolean(); i++) {
            if (!step() || now > deadline) {
                throw new AssertionError("not done by " + Nanos.toSeconds(now) + " s (idle or deadline)");
            }
        }
        if (!done.getAsBoolean()) {
            throw new AssertionError("not done after " + maxSteps + " steps");
        }
    }

    /** Runs until nothing is in flight and no timer is due before {@code horizonNanos} from now. */
    public void driveIdle(long horizonNanos) {
        long end = now + horizonNanos;
        while (true) {
            flush();
            long next = inFlight.isEmpty() ? Nanos.NEVER : inFlight.peek().at;
            next = Math.min(next, Math.min(client.pollTimeout(), server.pollTimeout()));
            if (next > end) {
                return;
            }
            step();
        }
    }

    /** Runs what happens in the next {@code nanos} of virtual time, then moves the clock to its end. */
    public void runFor(long nanos) {
        long end = now + nanos;
        driveIdle(nanos);
        now = Math.max(now, end);
    }

    private void flush(Stack from, Link link, Stack to) {
        while (true) {
            scratch.clear();
            Transmit t = from.pollTransmit(now, scratch);
            if (t == null) {
                return;
            }
            scratch.flip();
            if (t.gsoSize() > 0) {
                // The device's segmentation offload: the wire sees MTU-sized pieces only.
                link.gsoPackets++;
                TcpSegmentation.segment(scratch, t.gsoSize(), gsoScratch, piece -> {
                    byte[] bytes = new byte[piece.remaining()];
                    piece.get(bytes);
                    send(link, to, bytes);
                });
                continue;
            }
            byte[] bytes = new byte[t.length()];
            scratch.get(bytes);
            send(link, to, bytes);
        }
    }

    private void send(Link link, Stack to, byte[] bytes) {
        if (link.dropIf.test(bytes)) {
            link.dropped++;
            return;
        }
        bytes = link.rewrite.apply(bytes);
        if (bytes.length > link.mtu) {
            link.mtuDrops++;
            return;
        }
        if (link.dropNext > 0) {
            link.dropNext--;
            link.dropped++;
            return;
        }
        if (link.rng.chance(link.lossRate)) {
            link.dropped++;
            return;
        }
        long at = now;
        if (link.rateBps > 0) {
            long start = Math.max(now, link.busyUntil);
            link.busyUntil = start + bytes.length * 8L * Nanos.PER_SECOND / link.rateBps;
            at = link.busyUntil;
        }
        at += link.delayNanos + link.extraDelayNanos.applyAsLong(bytes);
        if (link.rng.chance(link.reorderRate)) {
            at += link.reorderExtraNanos;
        }
        link.delivered++;
        inFlight.add(new InFlight(at, seq++, to, bytes));
    }

    private void drainEvents() {
        StackEvent e;
        while ((e = client.pollEvent()) != null) {
            clientEvents.add(e);
        }
        while ((e = server.pollEvent()) != null) {
            serverEvents.add(e);
        }
    }

    private record InFlight(long at, long seq, Stack to, byte[] bytes) implements Comparable<InFlight> {
        public int compareTo(InFlight o) {
            return at != o.at ? Long.compare(at, o.at) : Long.compare(seq, o.seq);
        }
    }

    private static InetAddress address(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(s, e);
        }
    }
}
