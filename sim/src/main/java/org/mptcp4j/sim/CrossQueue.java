package org.mptcp4j.sim;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Packets on their way from one partition's thread to another's (a {@link ParallelSimulation}
 * link between partitions): a ring with one producer, the sending partition, and one consumer,
 * the receiving one, each with its arrival time. The producer publishes a packet by advancing
 * the tail with release semantics after writing the slot; the consumer reads the tail with
 * acquire semantics before reading slots, and frees them the same way through the head. No lock,
 * and nothing allocated per packet. Head and tail sit 128 bytes apart, and as far from the
 * array's ends: each written by one thread, they must not share a cache line.
 */
final class CrossQueue {
    private static final int CAPACITY = 1 << 14;
    private static final int MASK = CAPACITY - 1;

    private final Packet[] packets = new Packet[CAPACITY];
    private final long[] arrivals = new long[CAPACITY];
    private final boolean[] reordered = new boolean[CAPACITY];
    private static final int HEAD = 8;
    private static final int TAIL = 24;
    private final AtomicLongArray indices = new AtomicLongArray(40);

    /**
     * The producer adds {@code p}, to arrive at {@code arrivalNanos} ({@code outOfOrder}: on its own,
     * not through the link's FIFO pipe). When the ring is full it waits for the consumer, which
     * drains whenever it looks for more work, so the wait ends.
     */
    void offer(Packet p, long arrivalNanos, boolean outOfOrder) {
        long t = indices.getPlain(TAIL); // only the producer writes it
        int spins = 0;
        while (t - indices.getAcquire(HEAD) == CAPACITY) {
            spins = ParallelSimulation.pause(spins);
        }
        int i = (int) t & MASK;
        packets[i] = p;
        arrivals[i] = arrivalNanos;
        reordered[i] = outOfOrder;
        indices.setRelease(TAIL, t + 1);
    }

    /** As {@link #offer} if the ring has room, and true; false, and nothing added, if it is full. */
    boolean tryOffer(Packet p) {
        long t = indices.getPlain(TAIL);
        if (t - indices.getAcquire(HEAD) == CAPACITY) {
            return false;
        }
        packets[(int) t & MASK] = p;
        indices.setRelease(TAIL, t + 1);
        return true;
    }

    /** What the consumer does with each packet, in the order they were offered. */
    interface Receiver {
        void arrive(Packet p, long arrivalNanos, boolean outOfOrder);
    }

    /** The consumer takes every packet published so far; returns how many. */
    int drain(Receiver receiver) {
        long h = indices.getPlain(HEAD); // only the consumer writes it
        long t = indices.getAcquire(TAIL);
        for (long k = h; k < t; k++) {
            int i = (int) k & MASK;
            // The slot keeps its reference until the producer reuses it: clearing it would write to
            // the line the producer writes next, and pooled packets need no help from the collector.
            receiver.arrive(packets[i], arrivals[i], reordered[i]);
        }
        if (t != h) {
            indices.setRelease(HEAD, t);
        }
        return (int) (t - h);
    }
}
