package org.mptcp4j.api;

import java.nio.ByteBuffer;

/**
 * A byte ring between application threads and the reactor: a socket's writes are copied in and
 * the reactor moves them to the stack, or the reactor copies the stack's data in and reads take
 * it out. Not thread-safe: its {@link ConnState}'s lock guards it.
 *
 * <p>Invariant: {@code 0 <= size <= buf.length}, the bytes held start at {@code head} and wrap
 * around the end of {@code buf}.
 */
final class ByteStage {
    private byte[] buf;
    private int head;
    private int size;

    ByteStage(int capacityBytes) {
        buf = new byte[capacityBytes];
    }

    int size() {
        return size;
    }

    int capacity() {
        return buf.length;
    }

    int free() {
        return buf.length - size;
    }

    /** Copies in as much of {@code src[off, off + len)} as fits; the count copied. */
    int put(byte[] src, int off, int len) {
        int n = Math.min(len, free());
        int tail = (head + size) % buf.length;
        int first = Math.min(n, buf.length - tail);
        System.arraycopy(src, off, buf, tail, first);
        System.arraycopy(src, off + first, buf, 0, n - first);
        size += n;
        return n;
    }

    /** Copies out up to {@code len} bytes into {@code dst[off..]}; the count copied. */
    int take(byte[] dst, int off, int len) {
        int n = Math.min(len, size);
        int first = Math.min(n, buf.length - head);
        System.arraycopy(buf, head, dst, off, first);
        System.arraycopy(buf, 0, dst, off + first, n - first);
        consume(n);
        return n;
    }

    /** Copies in as much of {@code src}'s remaining bytes as fits; the count copied. */
    int put(ByteBuffer src) {
        int n = Math.min(src.remaining(), free());
        int tail = (head + size) % buf.length;
        int first = Math.min(n, buf.length - tail);
        src.get(buf, tail, first);
        src.get(buf, 0, n - first);
        size += n;
        return n;
    }

    /** Copies out as many bytes as {@code dst} has room for; the count copied. */
    int take(ByteBuffer dst) {
        int n = Math.min(dst.remaining(), size);
        int first = Math.min(n, buf.length - head);
        dst.put(buf, head, first);
        dst.put(buf, 0, n - first);
        consume(n);
        return n;
    }

    /** The held bytes that lie contiguous from the head, as a buffer to read from; {@link #consume} after. */
    ByteBuffer readableChunk() {
        return ByteBuffer.wrap(buf, head, Math.min(size, buf.length - head));
    }

    void consume(int n) {
        head = (head + n) % buf.length;
        size -= n;
        if (size == 0) {
            head = 0; // keeps the next chunk contiguous
        }
    }

    /** The free room that lies contiguous after the tail, as a buffer to fill; {@link #produced} after. */
    ByteBuffer writableChunk() {
        int tail = (head + size) % buf.length;
        int room = tail >= head && size < buf.length ? buf.length - tail : head - tail;
        return ByteBuffer.wrap(buf, tail, size == buf.length ? 0 : room);
    }

    void produced(int n) {
        size += n;
    }

    void clear() {
        head = 0;
        size = 0;
    }

    /** A new capacity, never below what is held. */
    void resize(int capacityBytes) {
        int cap = Math.max(capacityBytes, size);
        if (cap == buf.length) {
            return;
        }
        byte[] next = new byte[cap];
        int n = size;
        take(next, 0, n);
        buf = next;
        head = 0;
        size = n;
    }
}
