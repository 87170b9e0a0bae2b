package org.mptcp4j.sim;

import java.util.Arrays;

/**
 * An implicit 4-ary min-heap on parallel primitive arrays, keyed by {@code (time, seq)}: half the
 * depth of a binary heap, so fewer levels on sift-down at the price of three comparisons per level.
 * The default queue of {@link Simulation}: in the engine benchmark it ran as fast as or faster
 * than {@link BinaryHeapQueue}, and it keeps its speed better as the heap grows
 * ({@code docs/benchmarks/sim.md}).
 */
public final class QuaternaryHeapQueue implements EventQueue {
    private long[] times;
    private long[] seqs;
    private EventHandler[] handlers;
    private Object[] args;
    private int size;
    private long nextSeq;

    private long poppedTime;
    private long poppedSeq;
    private Object poppedArg;

    public QuaternaryHeapQueue() {
        this(256);
    }

    public QuaternaryHeapQueue(int initialCapacity) {
        int capacity = Math.max(4, initialCapacity);
        times = new long[capacity];
        seqs = new long[capacity];
        handlers = new EventHandler[capacity];
        args = new Object[capacity];
    }

    @Override
    public long schedule(long timeNanos, EventHandler handler, Object arg) {
        if (size == times.length) {
            grow();
        }
        long seq = nextSeq++;
        int hole = size++;
        while (hole > 0) {
            int parent = (hole - 1) >>> 2;
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
    public EventHandler pop() {
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

    private void siftDownLast(int last) {
        long t = times[last];
        long s = seqs[last];
        int hole = 0;
        while (true) {
            int first = 4 * hole + 1;
            if (first >= last) {
                break;
            }
            int best = first;
            long bt = times[first];
            long bs = seqs[first];
            int end = Math.min(first + 4, last);
            for (int c = first + 1; c < end; c++) {
                long ct = times[c];
                if (ct < bt || (ct == bt && seqs[c] < bs)) {
                    best = c;
                    bt = ct;
                    bs = seqs[c];
                }
            }
            if (t < bt || (t == bt && s < bs)) {
                break;
            }
            move(best, hole);
            hole = best;
        }
        times[hole] = t;
        seqs[hole] = s;
        handlers[hole] = handlers[last];
        args[hole] = args[last];
    }

    private void move(int from, int to) {
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
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public long peekTimeNanos() {
        return times[0];
    }

    @Override
    public long poppedTimeNanos() {
        return poppedTime;
    }

    @Override
    public Object poppedArg() {
        return poppedArg;
    }

    @Override
    public long poppedSeq() {
        return poppedSeq;
    }

    @Override
    public void clear() {
        Arrays.fill(handlers, 0, size, null);
        Arrays.fill(args, 0, size, null);
        size = 0;
    }
}
