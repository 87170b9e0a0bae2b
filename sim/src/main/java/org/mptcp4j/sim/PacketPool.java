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
    /** In a {@link ParallelSimulation}: this pool's partition, and the rings to and from the other pools (see {@link #joinPartitions}); else -1 and null. */
    private int partition = -1;
    private CrossQueue[] homeward;
    private CrossQueue[] comingBack;
    private final CrossQueue.Receiver takeBack = (p, arrival, outOfOrder) -> takeBack(p);

    /** A packet with room for {@code length} bytes and {@code length()} set to it. */
    public Packet acquire(int length) {
        if (length < 0 || length > Packet.MAX_BYTES) {
            throw new IllegalArgumentException("packet length out of range: " + length);
        }
        Packet p = take(length);
        p.uid = nextUid;
        nextUid += uidStride;
        return p;
    }

    /** A packet of at least {@code length} bytes, reset, without a uid yet. */
    private Packet take(int length) {
        Packet p = freeCount > 0 || comingHome() ? free[--freeCount] : null;
        if (p == null) {
            p = new Packet(this, Math.max(DEFAULT_CAPACITY, length));
            allocated++;
        } else {
            free[freeCount] = null;
            p.ensureCapacity(length);
        }
        p.free = false;
        p.checksumValidated = false;
        p.partialChecksumAt = -1;
        p.length = length;
        return p;
    }

    /** A packet holding a copy of {@code src}'s remaining bytes; {@code src}'s position is unchanged. */
    public Packet copyOf(ByteBuffer src) {
        int length = src.remaining();
        Packet p = acquire(length);
        src.get(src.position(), p.data, 0, length);
        return p;
    }

    /**
     * A packet from another partition's pool, arriving here: this pool's copy of it (its bytes and
     * all the simulator knows of it, its uid too, so that traces name it as before), while the
     * original goes home at once (released: marked free, then queued to its pool). The receiving
     * partition then works only on packets of its own, as a host's NIC writes what arrives into the
     * host's own memory, rather than on the sender's packet until it delivered it: on two threads
     * the Fig. 3 transfer took about 0.95 of the wall time (docs/benchmarks/sim.md).
     */
    Packet takeOver(Packet original) {
        Packet p = copyInto(take(original.length), original);
        p.uid = original.uid;
        release(original);
        return p;
    }

    /** A new packet with the same bytes as {@code original} (a duplicate on the wire). */
    public Packet duplicate(Packet original) {
        return copyInto(acquire(original.length), original);
    }

    /** {@code p} with {@code original}'s bytes, link generation and checksum state (not its uid). */
    private static Packet copyInto(Packet p, Packet original) {
        System.arraycopy(original.data, 0, p.data, 0, original.length);
        p.linkGeneration = original.linkGeneration;
        p.checksumValidated = original.checksumValidated;
        p.partialChecksumAt = original.partialChecksumAt;
        return p;
    }

    public void release(Packet p) {
        if (p.free) {
            throw new IllegalStateException("packet " + p.uid + " released twice");
        }
        p.discharge(); // dropped before it left its sender's device, if it had not yet
        p.free = true;
        if (p.home != this && p.home.partition >= 0 && homeward[p.home.partition].tryOffer(p)) {
            return; // made by another partition's pool: it goes back there (kept here while the way is full)
        }
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
     * Joins this pool, partition {@code partition}'s, to the others of a {@link ParallelSimulation}:
     * a packet is released into the pool of the partition it ends in, and a packet another pool
     * made goes back to it through {@code homeward[thatPartition]}, which that pool drains from
     * {@code comingBack} when it has no free packet left. So each partition keeps the packets it
     * made, and none keeps creating while another only collects. Each ring has one writer and one
     * reader thread.
     */
    void joinPartitions(int partition, CrossQueue[] homeward, CrossQueue[] comingBack) {
        this.partition = partition;
        this.homeward = homeward;
        this.comingBack = comingBack;
    }

    /** Takes back this pool's packets released in other partitions; whether there is now a free one. */
    private boolean comingHome() {
        if (comingBack == null) {
            return false;
        }
        for (CrossQueue q : comingBack) {
            if (q != null) {
                q.drain(takeBack);
            }
        }
        return freeCount > 0;
    }

    private void takeBack(Packet p) {
        if (freeCount == free.length) {
            Packet[] bigger = new Packet[free.length * 2];
            System.arraycopy(free, 0, bigger, 0, freeCount);
            free = bigger;
        }
        free[freeCount++] = p;
    }

    /** Packet objects this pool created: the peak number alive at once. */
    public long allocated() {
        return allocated;
    }

    /**
     * Packets handed out and not yet back. In a {@link ParallelSimulation} a packet of this pool
     * released in another partition counts until this pool has taken it back from its ring (or,
     * while that ring was full, it stays free in the other pool): sum over the partitions.
     */
    public long inUse() {
        return allocated - freeCount;
    }
}
