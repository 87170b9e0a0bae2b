package org.mptcp4j.tcp;

import java.nio.ByteBuffer;
import org.mptcp4j.wire.OutgoingSegment;

/**
 * Where a {@link TcpConnection}'s send-side payload lives, from the first unacknowledged data byte
 * on: sent but unacknowledged, then not yet sent. Offsets are relative to that first byte. Plain
 * TCP keeps the bytes itself ({@link SendBuffer}); an MPTCP subflow references the bytes its
 * connection keeps for the data level instead, since those must stay until a DATA_ACK covers them
 * anyway (RFC 8684 section 3.3.6), and a second copy per subflow would hold them twice. A segment's
 * payload stays here until the segment is written ({@link OutgoingSegment.Payload}).
 */
public interface SendQueue extends OutgoingSegment.Payload {
    /** The most bytes the queue holds (the send buffer limit, Linux {@code sk_sndbuf}). */
    int capacity();

    /** Bytes held (unacknowledged plus unsent). */
    int length();

    default int freeSpace() {
        return capacity() - length();
    }

    /** Appends as much of {@code src} as fits, copying it; returns the number of bytes taken. */
    int append(ByteBuffer src);

    /** Copies {@code len} bytes starting {@code offset} bytes after the front into {@code dst} from its absolute index {@code at}. */
    @Override
    void copy(int offset, int len, ByteBuffer dst, int at);

    /** Drops {@code n} acknowledged bytes from the front. */
    void release(int n);

    /** Of {@link #length}, the bytes this queue keeps a copy of itself (the rest it references). */
    int ownedBytes();
}
