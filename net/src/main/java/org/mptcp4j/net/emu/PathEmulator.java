package org.mptcp4j.net.emu;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;

/**
 * Delay, rate and loss for a real driver's outgoing packets, per path, since netem is not available
 * on our hosts. A path is a (local address, remote address) pair, or a local address towards every
 * remote. Each path follows the simulator's link model ({@link LinkSpec}): a drop-tail queue whose
 * server serializes at {@code rateBps}, then {@code delayNanos} on the wire; after serialization come
 * random loss ({@link LossModel}), corruption, duplication and reordering, each drawn from the
 * emulator's seeded {@link Rng}, in the simulator's order. The spec's {@link LinkSpec#mtu()} is not
 * applied: packets of any size pass the emulator.
 *
 * <p>Time is passed in ({@code nowNanos}, from the driver's {@code System.nanoTime()}), so the
 * emulator is tested in virtual time. The driver calls {@link #offer} for each packet, waits no
 * later than {@link #nextReleaseNanos()}, and then calls {@link #releaseDue}. Packets of a path
 * without a spec pass straight through ({@link Outcome#PASS}). Owned by one thread.
 */
public final class PathEmulator {
    /** What became of an offered packet. */
    public enum Outcome {
        /** No spec for this path: the caller sends the packet itself, now. */
        PASS,
        /** Held; {@link #releaseDue} hands it to the sink when due. */
        QUEUED,
        /** Dropped on arrival at a full queue. */
        DROPPED_QUEUE_FULL,
        /** Lost at random after serialization. */
        DROPPED_LOSS
    }

    /** Where due packets go: the driver's real send. */
    @FunctionalInterface
    public interface Sink {
        void deliver(ByteBuffer packet, InetAddress source, InetAddress destination) throws IOException;
    }

    private static final int POOLED_SIZE = 2048;
    private static final int POOL_MAX = 4096;

    private final Rng rng;
    private final Map<PathKey, Path> paths = new HashMap<>();
    private final PriorityQueue<Held> onTheWire = new PriorityQueue<>((a, b) ->
            a.releaseNanos != b.releaseNanos ? Long.compare(a.releaseNanos, b.releaseNanos) : Long.compare(a.seq, b.seq));
    private final ArrayDeque<Held> pool = new ArrayDeque<>();
    private long nextSeq;

    public PathEmulator(Rng rng) {
        this.rng = rng;
    }

    /** Emulates {@code spec} on packets from {@code local} to {@code remote} ({@code null}: to anyone). */
    public void configure(InetAddress local, InetAddress remote, LinkSpec spec) {
        paths.put(new PathKey(local, remote), new Path(spec, spec.loss().newProcess(rng)));
    }

    /** True when at least one path is emulated. */
    public boolean isActive() {
        return !paths.isEmpty();
    }

    /** The counters of the path configured for {@code (local, remote)}. */
    public PathCounters counters(InetAddress local, InetAddress remote) {
        Path p = paths.get(new PathKey(local, remote));
        if (p == null) {
            throw new IllegalArgumentException("no emulated path " + local + " -> " + remote);
        }
        return p.counters();
    }

    /** Takes one packet ({@code packet} position..limit, copied; the buffer is not kept). */
    public Outcome offer(long nowNanos, ByteBuffer packet, InetAddress source, InetAddress destination) {
        Path path = paths.get(new PathKey(source, destination));
        if (path == null) {
            path = paths.get(new PathKey(source, null));
        }
        if (path == null) {
            return Outcome.PASS;
        }
        int length = packet.remaining();
        path.retireDeparted(nowNanos);
        if (!admits(path.spec.queue(), path.queued.size(), path.queuedBytes, length)) {
            path.droppedQueueFull++;
            return Outcome.DROPPED_QUEUE_FULL;
        }
        long departNanos = Math.max(nowNanos, path.busyUntilNanos) + path.spec.serializationNanos(length);
        path.busyUntilNanos = departNanos;
        path.queued.addLast(new long[] {departNanos, length});
        path.queuedBytes += length;
        path.offered++;
        if (path.loss.lose()) {
            path.lost++;
            return Outcome.DROPPED_LOSS;
        }
        long arrival = departNanos + path.spec.delayNanos();
        Held h = hold(packet, source, destination, arrival);
        if (rng.chance(path.spec.corruptProbability()) && length > 20) {
            // One bit after the IP header, as the simulator does: the peer's checksum must catch it.
            int at = 20 + rng.nextInt(length - 20);
            h.data[at] ^= (byte) (1 << rng.nextInt(8));
            path.corrupted++;
        }
        if (rng.chance(path.spec.duplicateProbability())) {
            Held copy = hold(packet, source, destination, arrival);
            System.arraycopy(h.data, 0, copy.data, 0, length);
            onTheWire.add(copy);
            path.duplicated++;
        }
        if (rng.chance(path.spec.reorderProbability())) {
            h.releaseNanos = arrival + path.spec.reorderExtraDelayNanos();
            path.reordered++;
        }
        onTheWire.add(h);
        return Outcome.QUEUED;
    }

    /** When the next held packet is due, {@link Nanos#NEVER} when none is held. */
    public long nextReleaseNanos() {
        Held h = onTheWire.peek();
        return h == null ? Nanos.NEVER : h.releaseNanos;
    }

    /** Hands every packet due at {@code nowNanos} to {@code sink}, in due order; returns how many. */
    public int releaseDue(long nowNanos, Sink sink) throws IOException {
        int n = 0;
        Held h;
        while ((h = onTheWire.peek()) != null && h.releaseNanos <= nowNanos) {
            onTheWire.poll();
            try {
                sink.deliver(h.view.clear().limit(h.length), h.source, h.destination);
            } finally {
                recycle(h);
            }
            n++;
        }
        return n;
    }

    private static boolean admits(QueueLimit limit, int queuedPackets, long queuedBytes, int length) {
        return limit.unit() == QueueLimit.Unit.PACKETS
                ? queuedPackets + 1L <= limit.limit()
                : queuedBytes + length <= limit.limit();
    }

    private Held hold(ByteBuffer packet, InetAddress source, InetAddress destination, long releaseNanos) {
        int length = packet.remaining();
        Held h = length <= POOLED_SIZE ? pool.pollFirst() : null;
        if (h == null) {
            h = new Held(new byte[Math.max(length, POOLED_SIZE)]);
        }
        packet.get(packet.position(), h.data, 0, length);
        h.length = length;
        h.source = source;
        h.destination = destination;
        h.releaseNanos = releaseNanos;
        h.seq = nextSeq++;
        return h;
    }

    private void recycle(Held h) {
        h.source = null;
        h.destination = null;
        if (h.data.length == POOLED_SIZE && pool.size() < POOL_MAX) {
            pool.addFirst(h);
        }
    }

    private record PathKey(InetAddress local, InetAddress remote) {}

    /** A packet on the emulated wire. */
    private static final class Held {
        final byte[] data;
        final ByteBuffer view;
        int length;
        InetAddress source;
        InetAddress destination;
        long releaseNanos;
        long seq;

        Held(byte[] data) {
            this.data = data;
            this.view = ByteBuffer.wrap(data);
        }
    }

    /** One emulated path's queue state and counters. */
    private static final class Path {
        final LinkSpec spec;
        final LossModel.Process loss;
        /** Departure time and length of every packet not yet fully serialized, oldest first. */
        final ArrayDeque<long[]> queued = new ArrayDeque<>();
        long queuedBytes;
        long busyUntilNanos;
        long offered;
        long lost;
        long droppedQueueFull;
        long corrupted;
        long duplicated;
        long reordered;

        Path(LinkSpec spec, LossModel.Process loss) {
            this.spec = spec;
            this.loss = loss;
        }

        void retireDeparted(long nowNanos) {
            long[] head;
            while ((head = queued.peekFirst()) != null && head[0] <= nowNanos) {
                queued.pollFirst();
                queuedBytes -= head[1];
            }
        }

        PathCounters counters() {
            return new PathCounters(offered, lost, droppedQueueFull, corrupted, duplicated, reordered);
        }
    }
}
