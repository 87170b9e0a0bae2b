package org.mptcp4j.sim;

import java.nio.ByteBuffer;

/**
 * Recycles {@link Packet}s so that a long run allocates only up to its peak number of packets in
 * flight (htsim's {@code PacketDB}). Single-threaded, like the whole simulation.
 */
public final class PacketPool {
    /** Room for an Ethernet-MTU packet plus headroom; larger packets grow their own array. */
    static final int DEFAULT_CAPACITY = 2048;

    private Packet[] free = new Packet[64];
    private int freeCount;
    private long nextUid;
    /** Uids go up by this much: one pool per partition of a {@link ParallelSimulation}, each its own residue. */
    private int uidStride = 1;
    private long allocated;

    /** A packet with room for {@code length} bytes and {@code length()} set to it. */
    public Packet acquire(int length) {
        if (length < 0 || length > Packet.MAX_BYTES) {
            throw new IllegalArgumentException("packet length out of range: " + length);
        }
        Packet p;
        if (freeCount > 0) {
            p = free[--freeCount];
            free[freeCount] = null;
            p.ensureCapacity(length);
        } else {
            p = new Packet(Math.max(DEFAULT_CAPACITY, length));
            allocated++;
        }
        p.free = false;
        p.checksumValidated = false;
        p.length = length;
        p.uid = nextUid;
        nextUid += uidStride;
        return p;
    }

    /** A packet holding a copy of {@code src}'s remaining bytes; {@code src}'s position is unchanged. */
    public Packet copyOf(ByteBuffer src) {
        int length = src.remaining();
        Packet p = acquire(length);
        src.get(src.position(), p.data, 0, length);
        return p;
    }

    /** A new packet with the same bytes as {@code original} (a duplicate on the wire). */
    public Packet duplicate(Packet original) {
        Packet p = acquire(original.length);
        System.arraycopy(original.data, 0, p.data, 0, original.length);
        p.linkGeneration = original.linkGeneration;
        p.checksumValidated = original.checksumValidated;
        return p;
    }

    public void release(Packet p) {
        if (p.free) {
            throw new IllegalStateException("packet " + p.uid + " released twice");
        }
        p.free = true;
        if (freeCount == free.length) {
            Packet[] bigger = new Packet[free.length * 2];
            System.arraycopy(free, 0, bigger, 0, freeCount);
            free = bigger;
        }
        free[freeCount++] = p;
    }

    /**
     * Numbers this pool's packets {@code partition}, {@code partition + partitions}, ...: the pool of
     * one of {@code partitions} partitions, whose packets then never share a uid with another's.
     */
    void numberAsPartition(int partition, int partitions) {
        if (allocated > 0) {
            throw new IllegalStateException("packets were already numbered");
        }
        nextUid = partition;
        uidStride = partitions;
    }

    /**
     * Moves up to {@code n} free packets to {@code other}; returns how many moved. Packets sent to
     * another partition are released into that partition's pool, so without this the sender's
     * pool would keep creating packets while the receiver's only grew.
     */
    int moveFreeTo(PacketPool other, int n) {
        int moved = Math.min(n, freeCount);
        for (int i = 0; i < moved; i++) {
            Packet p = free[--freeCount];
            free[freeCount] = null;
            other.adopt(p);
        }
        allocated -= moved;
        return moved;
    }

    private void adopt(Packet p) {
        allocated++;
        if (freeCount == free.length) {
            Packet[] bigger = new Packet[free.length * 2];
            System.arraycopy(free, 0, bigger, 0, freeCount);
            free = bigger;
        }
        free[freeCount++] = p;
    }

    /**
     * Packet objects ever created: the peak number alive at once. In a {@link ParallelSimulation},
     * those this pool created or was given, less those it gave away; summed over the partitions.
     */
    public long allocated() {
        return allocated;
    }

    /**
     * Packets handed out and not yet released. In a {@link ParallelSimulation} a packet is released
     * into the pool of the partition it ends in: only the sum over the partitions means this.
     */
    public long inUse() {
        return allocated - freeCount;
    }
}
