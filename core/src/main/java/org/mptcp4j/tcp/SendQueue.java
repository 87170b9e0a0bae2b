package org.mptcp4j.tcp;

import java.nio.ByteBuffer;

/**
 * Where a {@link TcpConnection}'s send-side payload lives, from the first unacknowledged data byte
 * on: sent but unacknowledged, then not yet sent. Offsets are relative to that first byte. Plain
 * TCP keeps the bytes itself ({@link SendBuffer}); an MPTCP subflow references the bytes its
 * connection keeps for the data level instead, since those must stay until a DATA_ACK covers them
 * anyway (RFC 8684 section 3.3.6), and a second copy per subflow would hold them twice.
 */
public interface SendQueue {
    /** The most bytes the queue holds (the send buffer limit, Linux {@code sk_sndbuf}). */
    int capacity();

    /** Bytes held (unacknowledged plus unsent). */
    int length();

    default int freeSpace() {
        return capacity() - length();
    }

    /** Appends as much of {@code src} as fits, copying it; returns the number of bytes taken. */
    int append(ByteBuffer src);

    /** Copies {@code len} bytes starting {@code offset} bytes after the front into {@code dst}. */
    void copy(int offset, int len, byte[] dst, int dstOffset);

    /**
     * The {@code len} bytes starting {@code offset} bytes after the front as a read-only buffer
     * (position 0, limit {@code len}) over the memory that holds them, when they lie there in one
     * piece; null when they do not (they wrap around a ring or cross from one store into another:
     * {@link #copy} them then). Its bytes stay until they are released and the memory is appended
     * to again.
     */
    ByteBuffer view(int offset, int len);

    /** Drops {@code n} acknowledged bytes from the front. */
    void release(int n);

    /** Of {@link #length}, the bytes this queue keeps a copy of itself (the rest it references). */
    int ownedBytes();
}
