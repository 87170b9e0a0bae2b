package org.mptcp4j.sim;

import java.util.Arrays;

/**
 * The storage and bookkeeping shared by the implicit heaps: parallel primitive arrays (no boxing,
 * no node objects) keyed by {@code (time, seq)}. Sift-up and sift-down move a hole instead of
 * swapping, so each level costs one array write per field. Subclasses give the arity: where a
 * hole's parent is, and how the last element sinks from the root.
 *
 * <p>The heap moves primitives only. An event's handler and argument stay in a slot of their own
 * ({@code handlers[slot]}, {@code args[slot]}) from schedule to pop, and the heap moves the slot's
 * index. Every reference stored into an array runs the garbage collector's write barrier (G1's
 * compares regions and reads the card, and adds a memory fence when the array has left the young
 * generation), and moving the two references at each level of a sift made {@code move}'s handler
 * line the heap's most expensive in the profile. Measured on the engine alone
 * ({@code ThreeHopTrains}), a fifth less time per event.
 */
abstract sealed class ArrayHeapQueue implements EventQueue permits BinaryHeapQueue, QuaternaryHeapQueue {
    // The heap, in heap order.
    long[] times;
    long[] seqs;
    int[] slots;
    // The slots, by slot index: free ones are listed in freeSlots[0, freeCount).
    private EventHandler[] handlers;
    private Object[] args;
    private int[] freeSlots;
    private int freeCount;
    private int size;
    private long nextSeq;

    private long poppedTime;
    private long poppedSeq;
    private Object poppedArg;

    ArrayHeapQueue(int initialCapacity) {
        int capacity = Math.max(4, initialCapacity);
        times = new long[capacity];
        seqs = new long[capacity];
        slots = new int[capacity];
        handlers = new EventHandler[capacity];
        args = new Object[capacity];
        freeSlots = new int[capacity];
        addFreeSlots(0, capacity);
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
        return insert(timeNanos, nextSeq++, handler, arg);
    }

    @Override
    public final long schedule(long timeNanos, long seq, EventHandler handler, Object arg) {
        if (seq < FIRST_OWN_SEQ) {
            throw new IllegalArgumentException("seq " + seq + " is in the space schedule(time, handler, arg) numbers from");
        }
        return insert(timeNanos, seq, handler, arg);
    }

    private long insert(long timeNanos, long seq, EventHandler handler, Object arg) {
        if (size == times.length) {
            grow();
        }
        int slot = freeSlots[--freeCount];
        // A freed slot keeps its handler (see pop): components schedule the same few handlers
        // again and again, so the store, and its barrier, is often not needed.
        if (handlers[slot] != handler) {
            handlers[slot] = handler;
        }
        if (arg != null) {
            args[slot] = arg;
        }
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
        slots[hole] = slot;
        return seq;
    }

    /**
     * Removes the earliest event. Its slot is freed with its handler left in place (a handler is
     * a component's long-lived callback, and leaving it saves a store when the slot is next used
     * for the same one); its argument, when it had one, is cleared so that the queue holds no
     * object beyond its event.
     */
    @Override
    public final EventHandler pop() {
        int slot = slots[0];
        EventHandler top = handlers[slot];
        Object arg = args[slot];
        if (arg != null) {
            args[slot] = null;
        }
        poppedArg = arg;
        poppedTime = times[0];
        poppedSeq = seqs[0];
        freeSlots[freeCount++] = slot;
        int last = --size;
        if (last > 0) {
            siftDownLast(last);
        }
        return top;
    }

    /** Puts the element at {@code last} into {@code hole}, where the sift ended. */
    final void settle(int hole, int last, long t, long s) {
        times[hole] = t;
        seqs[hole] = s;
        slots[hole] = slots[last];
    }

    final void move(int from, int to) {
        times[to] = times[from];
        seqs[to] = seqs[from];
        slots[to] = slots[from];
    }

    private void grow() {
        int old = times.length;
        int capacity = old * 2;
        times = Arrays.copyOf(times, capacity);
        seqs = Arrays.copyOf(seqs, capacity);
        slots = Arrays.copyOf(slots, capacity);
        handlers = Arrays.copyOf(handlers, capacity);
        args = Arrays.copyOf(args, capacity);
        freeSlots = Arrays.copyOf(freeSlots, capacity);
        addFreeSlots(old, capacity); // every old slot is in use: the heap was full
    }

    private void addFreeSlots(int from, int to) {
        for (int slot = to - 1; slot >= from; slot--) {
            freeSlots[freeCount++] = slot;
        }
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
        Arrays.fill(handlers, null);
        Arrays.fill(args, null);
        size = 0;
        freeCount = 0;
        addFreeSlots(0, times.length);
    }
}
