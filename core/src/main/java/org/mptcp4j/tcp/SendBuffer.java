package org.mptcp4j.tcp;

import java.nio.ByteBuffer;

/**
 * The bytes of the send side from SND.UNA on: sent but unacknowledged, then not yet sent. A ring of
 * fixed capacity (the send buffer limit, Linux {@code sk_sndbuf}); acknowledged bytes are released
 * from the front. Offsets are relative to the first unacknowledged data byte.
 *
 * <p>Invariant: {@code 0 <= length <= capacity}, {@code 0 <= head < capacity}.
 */
public final class SendBuffer {
    private final byte[] ring;
    private int head;
    private int length;

    public SendBuffer(int capacityBytes) {
        this.ring = new byte[capacityBytes];
    }

    public int capacity() {
        return ring.length;
    }

    /** Bytes held (unacknowledged plus unsent). */
    public int length() {
        return length;
    }

    public int freeSpace() {
        return ring.length - length;
    }

    /** Appends as much of {@code src} as fits; returns the number of bytes taken. */
    public int append(ByteBuffer src) {
        int n = Math.min(src.remaining(), freeSpace());
        int tail = index(length);
        int first = Math.min(n, ring.length - tail);
        src.get(ring, tail, first);
        if (n > first) {
            src.get(ring, 0, n - first);
        }
        length += n;
        return n;
    }

    /** Copies {@code len} bytes starting {@code offset} bytes after the front into {@code dst}. */
    public void copy(int offset, int len, byte[] dst, int dstOffset) {
        if (offset < 0 || len < 0 || offset + len > length) {
            throw new IndexOutOfBoundsException("offset " + offset + " len " + len + " of " + length);
        }
        int start = index(offset);
        int first = Math.min(len, ring.length - start);
        System.arraycopy(ring, start, dst, dstOffset, first);
        if (len > first) {
            System.arraycopy(ring, 0, dst, dstOffset + first, len - first);
        }
    }

    /** Drops {@code n} acknowledged bytes from the front. */
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

    private int index(int offset) {
        int i = head + offset;
        return i >= ring.length ? i - ring.length : i;
    }
}
