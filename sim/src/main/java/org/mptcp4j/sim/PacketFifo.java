package org.mptcp4j.sim;

/**
 * A first-in first-out ring of packets with each one's length and a time beside it, in parallel
 * arrays: a link's queue and its pipe. What a link needs of a waiting packet (its length to
 * serialize it, its arrival time to schedule the pipe's next event) is read from these arrays in
 * order, so the packet object itself is not touched between the link's taking it and its handing it
 * on. Packets wait in a link for thousands of others (a 100 Mbit/s, 10 ms pipe holds about 830); an
 * intrusive list had to load each from memory once at the head of the queue and once more as the
 * pipe's next packet, cache misses that grew with the number of packets waiting (issue 14: eight
 * paths' queues hold 2.5 times as many as two paths').
 */
final class PacketFifo {
    private Packet[] packets = new Packet[16];
    private int[] lengths = new int[16];
    private long[] times = new long[16];
    /** Index of the head; the ring's capacity is a power of two. */
    private int head;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    void add(Packet p, int length, long timeNanos) {
        if (size == packets.length) {
            grow();
        }
        int i = (head + size) & (packets.length - 1);
        packets[i] = p;
        lengths[i] = length;
        times[i] = timeNanos;
        size++;
    }

    /** The head packet (the FIFO must not be empty). */
    Packet peek() {
        return packets[head];
    }

    int peekLength() {
        return lengths[head];
    }

    long peekTime() {
        return times[head];
    }

    /** The time of the packet added last (the FIFO must not be empty). */
    long lastTime() {
        return times[(head + size - 1) & (packets.length - 1)];
    }

    /** Removes the head packet; its length and time were read before through {@link #peekLength} and {@link #peekTime}. */
    Packet poll() {
        Packet p = packets[head];
        packets[head] = null;
        head = (head + 1) & (packets.length - 1);
        size--;
        return p;
    }

    /** The {@code i}-th packet from the head, for checks. */
    Packet get(int i) {
        return packets[(head + i) & (packets.length - 1)];
    }

    int lengthAt(int i) {
        return lengths[(head + i) & (packets.length - 1)];
    }

    long timeAt(int i) {
        return times[(head + i) & (packets.length - 1)];
    }

    /** Returns every packet to {@code pool}, empties the FIFO and returns how many there were. */
    int flush(PacketPool pool) {
        int n = size;
        while (size > 0) {
            pool.release(poll());
        }
        head = 0;
        return n;
    }

    private void grow() {
        int n = packets.length;
        Packet[] p = new Packet[2 * n];
        int[] l = new int[2 * n];
        long[] t = new long[2 * n];
        for (int k = 0; k < size; k++) {
            int i = (head + k) & (n - 1);
            p[k] = packets[i];
            l[k] = lengths[i];
            t[k] = times[i];
        }
        packets = p;
        lengths = l;
        times = t;
        head = 0;
    }
}
