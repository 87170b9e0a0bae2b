package org.mptcp4j.tcp;

import java.nio.ByteBuffer;

/**
 * The bytes of the send side from SND.UNA on: sent but unacknowledged, then not yet sent. A ring of
 * fixed capacity (the send buffer limit, Linux {@code sk_sndbuf}); acknowledged bytes are released
 * from the front. Offsets are relative to the first unacknowledged data byte.
 *
 * <p>Memory is taken as data arrives: the ring starts empty, then small, and doubles up to the
 * limit, so an idle or half-open connection costs little (Linux allocates its skbs on demand too).
 *
 * <p>Invariant: {@code 0 <= length <= ring.length <= capacity}, {@code 0 <= head < max(ring.length, 1)}.
 */
public final class SendBuffer implements SendQueue {
    private static final int INITIAL_BYTES = 4096;
    private static final byte[] NONE = new byte[0];
    private final int capacity;
    private byte[] ring;
    private int head;
    private int length;

    public SendBuffer(int capacityBytes) {
        this.capacity = capacityBytes;
        this.ring = NONE;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    /** Bytes held (unacknowledged plus unsent). */
    @Override
    public int length() {
        return length;
    }

    /** Appends as much of {@code src} as fits; returns the number of bytes taken. */
    @Override
    public int append(ByteBuffer src) {
        return append(src, Integer.MAX_VALUE);
    }

    /** As {@link #append(ByteBuffer)}, taking at most {@code max} bytes (no view of {@code src} needed to cut it). */
    public int append(ByteBuffer src, int max) {
        int n = Math.min(Math.min(src.remaining(), max), freeSpace());
        if (length + n > ring.length) {
            grow(length + n);
        }
        int tail = index(length);
        int first = Math.min(n, ring.length - tail);
        src.get(ring, tail, first);
        if (n > first) {
            src.get(ring, 0, n - first);
        }
        length += n;
        return n;
    }

    @Override
    public void copy(int offset, int len, ByteBuffer dst, int at) {
        if (offset < 0 || len < 0 || offset + len > length) {
            throw new IndexOutOfBoundsException("offset " + offset + " len " + len + " of " + length);
        }
        int start = index(offset);
        int first = Math.min(len, ring.length - start);
        dst.put(at, ring, start, first);
        if (len > first) {
            dst.put(at + first, ring, 0, len - first);
        }
    }

    /** Drops {@code n} acknowledged bytes from the front. */
    @Override
    public void release(int n) {
        if (n < 0 || n > length) {
            throw new IndexOutOfBoundsException("release " + n + " of " + length);
        }
        head = index(n);
        length -= n;
        if (length == 0) {
            head = 0;
        }
    }

    private void grow(int needed) {
        int size = Math.min(capacity, Math.max(Math.max(needed, INITIAL_BYTES), ring.length * 2));
        byte[] bigger = new byte[size];
        int first = Math.min(length, ring.length - head);
        System.arraycopy(ring, head, bigger, 0, first);
        System.arraycopy(ring, 0, bigger, first, length - first);
        ring = bigger;
        head = 0;
    }

    @Override
    public int ownedBytes() {
        return length;
    }

    /** Bytes of memory the ring has taken (at most the capacity). */
    public int allocatedBytes() {
        return ring.length;
    }

    private int index(int offset) {
        int i = head + offset;
        return i >= ring.length ? i - ring.length : i;
    }
}
