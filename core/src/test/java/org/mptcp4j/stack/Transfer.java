package org.mptcp4j.stack;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.mptcp4j.base.Rng;

/**
 * A one-way bulk transfer over a {@link Pair}: the client writes {@code totalBytes} of a seeded
 * pseudo-random stream and half-closes; the server accepts, reads to end of stream, and both sides
 * hash what they wrote and read with SHA-256.
 */
public final class Transfer {
    private final Pair pair;
    private final long totalBytes;
    private final Rng stream;
    private final MessageDigest sentHash = sha256();
    private final MessageDigest receivedHash = sha256();
    private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    private final ByteBuffer readBuf = ByteBuffer.allocate(64 * 1024);
    private final ListenerHandle listener;
    public final ConnHandle clientConn;
    public ConnHandle serverConn;
    private long written;
    private long received;
    private long discardFirst;
    private long discarded;
    private boolean shutdown;
    private boolean eof;
    private java.io.ByteArrayOutputStream sentBytes;
    private java.io.ByteArrayOutputStream receivedBytes;

    public Transfer(Pair pair, long totalBytes, long streamSeed) {
        this.pair = pair;
        this.totalBytes = totalBytes;
        this.stream = Rng.seeded(streamSeed);
        this.listener = pair.server.listen(pair.serverAddress(), 16);
        this.clientConn = pair.client.connect(pair.now(), null, pair.serverAddress());
        chunk.limit(0);
    }

    /** Keeps every byte written and read, for checks finer than the two hashes (small transfers only). */
    public Transfer keepingBytes() {
        sentBytes = new java.io.ByteArrayOutputStream();
        receivedBytes = new java.io.ByteArrayOutputStream();
        return this;
    }

    /** The server lets the first {@code n} bytes go unread ({@link Stack#discard}), then reads the rest. */
    public Transfer discardingFirst(long n) {
        discardFirst = n;
        return this;
    }

    /** Bytes the server let go unread. */
    public long discarded() {
        return discarded;
    }

    public byte[] sentBytes() {
        return sentBytes.toByteArray();
    }

    public byte[] receivedBytes() {
        return receivedBytes.toByteArray();
    }

    public boolean endOfStream() {
        return eof;
    }

    /** Runs the transfer to the end (EOF read at the server); fails after the virtual-time budget. */
    public Transfer run(long maxVirtualNanos) {
        pair.flush();
        pair.driveUntil(() -> {
            pump();
            return eof;
        }, maxVirtualNanos, Long.MAX_VALUE);
        return this;
    }

    /** One round of application work: accept, write what fits, read what is there. */
    public void pump() {
        long now = pair.now();
        if (serverConn == null) {
            serverConn = pair.server.accept(listener);
        }
        while (written < totalBytes) {
            if (!chunk.hasRemaining()) {
                int n = (int) Math.min(chunk.capacity(), totalBytes - written);
                chunk.clear().limit(n);
                for (int i = 0; i < n; i += 8) {
                    long v = stream.nextLong();
                    for (int j = 0; j < 8 && i + j < n; j++) {
                        chunk.put(i + j, (byte) (v >>> (8 * j)));
                    }
                }
                sentHash.update(chunk.duplicate());
                if (sentBytes != null) {
                    sentBytes.write(chunk.array(), 0, n);
                }
            }
            int n = pair.client.write(now, clientConn, chunk);
            if (n <= 0) {
                break;
            }
            written += n;
        }
        if (written == totalBytes && !chunk.hasRemaining() && !shutdown) {
            shutdown = true;
            pair.client.shutdownOutput(now, clientConn);
        }
        if (serverConn != null && !eof) {
            while (discarded < discardFirst) {
                int n = pair.server.discard(now, serverConn, (int) Math.min(readBuf.capacity(), discardFirst - discarded));
                if (n < 0) {
                    eof = true;
                }
                if (n <= 0) {
                    break;
                }
                discarded += n;
            }
            while (discarded == discardFirst && !eof) {
                readBuf.clear();
                int n = pair.server.read(now, serverConn, readBuf);
                if (n < 0) {
                    eof = true;
                    break;
                }
                if (n == 0) {
                    break;
                }
                readBuf.flip();
                if (receivedBytes != null) {
                    receivedBytes.write(readBuf.array(), 0, n);
                }
                receivedHash.update(readBuf);
                received += n;
            }
        }
        pair.flush();
    }

    public long received() {
        return received;
    }

    public String sentSha256() {
        return HexFormat.of().formatHex(((MessageDigest) clone(sentHash)).digest());
    }

    public String receivedSha256() {
        return HexFormat.of().formatHex(((MessageDigest) clone(receivedHash)).digest());
    }

    private static Object clone(MessageDigest d) {
        try {
            return d.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
