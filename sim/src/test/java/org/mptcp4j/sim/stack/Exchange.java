package org.mptcp4j.sim.stack;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackEvent;

/**
 * Test application: one end of a connection on which both ends send at once. Each writes
 * {@code totalBytes} of its own seeded stream as fast as the stack takes it, half-closes, reads
 * everything the other sends until end of stream, and hashes both directions with SHA-256. The
 * client connects to {@code remote}; the server listens on its port and takes the first connection.
 */
public final class Exchange implements StackEndpoint.Application {
    private final InetSocketAddress remote;
    private final int listenPort;
    private final long totalBytes;
    private final PseudoRandomStream stream;
    private final MessageDigest sent = Sha256.newDigest();
    private final MessageDigest received = Sha256.newDigest();
    private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    private final ByteBuffer readBuf = ByteBuffer.allocate(256 * 1024);
    private ListenerHandle listener;
    private ConnHandle conn;
    private long written;
    private long read;
    private boolean shutdown;
    private boolean eof;
    private boolean closed;
    private ResetReason failure;
    private int lastMss;
    /** Connected, but writes no more than {@link #heldBytes} until {@link #release}: a transfer timed from a warm connection. */
    private boolean held;
    private long heldBytes;
    private long releasedNanos = -1;
    private long doneNanos = -1;

    private Exchange(InetSocketAddress remote, int listenPort, long totalBytes, long streamSeed) {
        this.remote = remote;
        this.listenPort = listenPort;
        this.totalBytes = totalBytes;
        this.stream = new PseudoRandomStream(streamSeed);
        chunk.limit(0);
    }

    public static Exchange client(InetAddress server, int port, long totalBytes, long streamSeed) {
        return new Exchange(new InetSocketAddress(server, port), 0, totalBytes, streamSeed);
    }

    public static Exchange server(int port, long totalBytes, long streamSeed) {
        return new Exchange(null, port, totalBytes, streamSeed);
    }

    /**
     * This exchange writes only its first {@code firstBytes} until {@link #release} (it reads
     * meanwhile): a few bytes from the server let the client's MPTCP connection become fully
     * established, and its path manager open the other subflows, before the timed part.
     */
    public Exchange held(long firstBytes) {
        held = true;
        heldBytes = firstBytes;
        return this;
    }

    /** Starts the writing of a {@link #held} exchange; its completion time counts from now. */
    public void release(StackEndpoint endpoint, long nowNanos) {
        held = false;
        releasedNanos = nowNanos;
        if (conn != null) {
            pump(endpoint.stack(), nowNanos);
            endpoint.service(nowNanos);
        }
    }

    /** Time from {@link #release} until the other's stream was read to its end and this one's was sent; -1 before. */
    public long completionNanos() {
        return doneNanos < 0 || releasedNanos < 0 ? -1 : doneNanos - releasedNanos;
    }

    @Override
    public void onStart(StackEndpoint endpoint, long nowNanos) {
        Stack stack = endpoint.stack();
        if (remote != null) {
            conn = stack.connect(nowNanos, null, remote);
        } else {
            boolean v6 = stack.addresses().getFirst() instanceof java.net.Inet6Address;
            listener = stack.listen(new InetSocketAddress(v6 ? "::" : "0.0.0.0", listenPort), 4);
        }
    }

    @Override
    public void onEvent(StackEndpoint endpoint, long nowNanos, StackEvent event) {
        Stack stack = endpoint.stack();
        switch (event) {
            case StackEvent.Incoming i when i.listener().equals(listener) && conn == null -> {
                conn = stack.accept(listener);
                if (conn != null) {
                    pump(stack, nowNanos);
                }
            }
            case StackEvent.Connected c when c.conn().equals(conn) -> pump(stack, nowNanos);
            case StackEvent.Writable w when w.conn().equals(conn) -> pump(stack, nowNanos);
            case StackEvent.Readable r when r.conn().equals(conn) -> pump(stack, nowNanos);
            case StackEvent.PeerClosed p when p.conn().equals(conn) -> pump(stack, nowNanos);
            case StackEvent.Reset r when r.conn().equals(conn) -> failure = r.reason();
            case StackEvent.ConnectFailed f when f.conn().equals(conn) -> failure = f.reason();
            default -> { }
        }
    }

    private void pump(Stack stack, long nowNanos) {
        if (closed) {
            return;
        }
        var info = stack.info(conn);
        if (info != null) {
            lastMss = info.mss();
        }
        while (written < (held ? heldBytes : totalBytes)) {
            if (!chunk.hasRemaining()) {
                chunk.clear().limit((int) Math.min(chunk.capacity(), (held ? heldBytes : totalBytes) - written));
                stream.fill(chunk);
                chunk.flip();
                sent.update(chunk.duplicate());
            }
            int n = stack.write(nowNanos, conn, chunk);
            if (n <= 0) {
                break;
            }
            written += n;
        }
        if (written == totalBytes && !chunk.hasRemaining() && !shutdown) {
            shutdown = true;
            stack.shutdownOutput(nowNanos, conn);
        }
        while (!eof) {
            readBuf.clear();
            int n = stack.read(nowNanos, conn, readBuf);
            if (n < 0) {
                eof = true;
            } else if (n == 0) {
                break;
            } else {
                readBuf.flip();
                received.update(readBuf);
                read += n;
            }
        }
        if (eof && shutdown) {
            closed = true;
            doneNanos = nowNanos;
            stack.close(nowNanos, conn);
        }
    }

    /**
     * The SHA-256 of the stream an exchange seeded {@code streamSeed} writes ({@code totalBytes}
     * long), with the bytes at the stream offsets {@code invertedOffsets} inverted: what a receiver
     * reads when a middlebox flipped those bytes and the connection carried them as plain TCP.
     */
    public static String sha256Of(long streamSeed, long totalBytes, long... invertedOffsets) {
        PseudoRandomStream stream = new PseudoRandomStream(streamSeed);
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer chunk = ByteBuffer.allocate(64 * 1024); // the chunks pump() writes: the stream depends on them
        for (long at = 0; at < totalBytes; ) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), totalBytes - at));
            stream.fill(chunk);
            for (long off : invertedOffsets) {
                if (off >= at && off < at + chunk.limit()) {
                    int i = (int) (off - at);
                    chunk.put(i, (byte) ~chunk.get(i));
                }
            }
            chunk.flip();
            at += chunk.remaining();
            digest.update(chunk);
        }
        return Sha256.peekHex(digest);
    }

    /** Both directions are over: everything written was taken, and the peer's end of stream was read. */
    public boolean isDone() {
        return closed;
    }

    public long bytesRead() {
        return read;
    }

    /** What the application has had taken by its stack so far. */
    public long bytesWritten() {
        return written;
    }

    public String sentSha256() {
        return Sha256.peekHex(sent);
    }

    public String receivedSha256() {
        return Sha256.peekHex(received);
    }

    /** The connection, once connected (client) or accepted (server); null before. */
    public ConnHandle conn() {
        return conn;
    }

    public ResetReason failure() {
        return failure;
    }

    /** The connection's MSS now, or as last seen if the application has let go of it. */
    public int mss(Stack stack) {
        var info = conn == null ? null : stack.info(conn);
        return info != null ? info.mss() : lastMss;
    }

    @Override
    public String toString() {
        return (remote != null ? "client" : "server") + " written=" + written + "/" + totalBytes + " read=" + read
                + " shutdown=" + shutdown + " eof=" + eof + " failure=" + failure;
    }
}
