package org.mptcp4j.sim;

import java.util.Arrays;

/**
 * An implicit binary min-heap on parallel primitive arrays (no boxing, no node objects), keyed by
 * {@code (time, seq)}. Sift-up and sift-down move a hole instead of swapping, so each level costs
 * one array write per field. The reference the default {@link QuaternaryHeapQueue} was measured
 * against.
 */
public final class BinaryHeapQueue implements EventQueue {
    private long[] times;
    private long[] seqs;
    private EventHandler[] handlers;
    private Object[] args;
    private int size;
    private long nextSeq;

    private long poppedTime;
    private long poppedSeq;
    private Object poppedArg;

    public BinaryHeapQueue() {
        this(256);
    }

    public BinaryHeapQueue(int initialCapacity) {
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
            int parent = (hole - 1) >>> 1;
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

    /** Re-inserts the element at {@code last} starting from the root hole. */
    private void siftDownLast(int last) {
        long t = times[last];
        long s = seqs[last];
        int hole = 0;
        int half = last >>> 1;
        while (hole < half) {
            int child = 2 * hole + 1;
            int right = child + 1;
            long ct = times[child];
            if (right < last) {
                long rt = times[right];
                if (rt < ct || (rt == ct && seqs[right] < seqs[child])) {
                    child = right;
                    ct = rt;
                }
            }
            if (t < ct || (t == ct && s < seqs[child])) {
                break;
            }
            move(child, hole);
            hole = child;
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
