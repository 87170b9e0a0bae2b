package org.mptcp4j.sim;

import java.util.Arrays;

/**
 * The storage and bookkeeping shared by the implicit heaps: parallel primitive arrays (no boxing,
 * no node objects) keyed by {@code (time, seq)}. Sift-up and sift-down move a hole instead of
 * swapping, so each level costs one array write per field. Subclasses give the arity: where a
 * hole's parent is, and how the last element sinks from the root.
 */
abstract sealed class ArrayHeapQueue implements EventQueue permits BinaryHeapQueue, QuaternaryHeapQueue {
    long[] times;
    long[] seqs;
    EventHandler[] handlers;
    Object[] args;
    private int size;
    private long nextSeq;

    private long poppedTime;
    private long poppedSeq;
    private Object poppedArg;

    ArrayHeapQueue(int initialCapacity) {
        int capacity = Math.max(4, initialCapacity);
        times = new long[capacity];
        seqs = new long[capacity];
        handlers = new EventHandler[capacity];
        args = new Object[capacity];
    }

    /** The index of the parent of {@code hole} (> 0). */
    abstract int parent(int hole);

    /**
     * Re-inserts the element at {@code last} starting from the root hole, among the elements
     * {@code [0, last)}.
     */
    abstract void siftDownLast(int last);

    @Override
    public final long schedule(long timeNanos, EventHandler handler, Object arg) {
        if (size == times.length) {
            grow();
        }
        long seq = nextSeq++;
        int hole = size++;
        while (hole > 0) {
            int parent = parent(hole);
            long pt = times[parent];
            if (pt < timeNanos || (pt == timeNanos && seqs[parent] < seq)) {
                break;
            }
            move(parent, hole);
            hole = parent;
        }
        times[hole] = timeNanos;
        seqs[hole] = seq;
        handlers[hole] = handler;
        args[hole] = arg;
        return seq;
    }

    @Override
    public final EventHandler pop() {
        EventHandler top = handlers[0];
        poppedTime = times[0];
        poppedSeq = seqs[0];
        poppedArg = args[0];
        int last = --size;
        if (last > 0) {
            siftDownLast(last);
        }
        handlers[last] = null;
        args[last] = null;
        return top;
    }

    /** Puts the element at {@code last} into {@code hole}, where the sift ended. */
    final void settle(int hole, int last, long t, long s) {
        times[hole] = t;
        seqs[hole] = s;
        handlers[hole] = handlers[last];
        args[hole] = args[last];
    }

    final void move(int from, int to) {
        times[to] = times[from];
        seqs[to] = seqs[from];
        handlers[to] = handlers[from];
        args[to] = args[from];
    }

    private void grow() {
        int capacity = times.length * 2;
        times = Arrays.copyOf(times, capacity);
        seqs = Arrays.copyOf(seqs, capacity);
        handlers = Arrays.copyOf(handlers, capacity);
        args = Arrays.copyOf(args, capacity);
    }

    @Override
    public final boolean isEmpty() {
        return size == 0;
    }

    @Override
    public final int size() {
        return size;
    }

    @Override
    public final long peekTimeNanos() {
        return times[0];
    }

    @Override
    public final long poppedTimeNanos() {
        return poppedTime;
    }

    @Override
    public final Object poppedArg() {
        return poppedArg;
    }

    @Override
    public final long poppedSeq() {
        return poppedSeq;
    }

    @Override
    public final void clear() {
        Arrays.fill(handlers, 0, size, null);
        Arrays.fill(args, 0, size, null);
        size = 0;
    }
}
