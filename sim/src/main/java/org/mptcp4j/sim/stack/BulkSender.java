package org.mptcp4j.sim.stack;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.Optional;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackEvent;

/**
 * An application that connects, writes {@code totalBytes} of a seeded pseudo-random stream as fast
 * as the stack takes it (hashing it with SHA-256), then closes (iperf-style bulk sender). Without
 * hashing ({@link #withoutHashing()}) it writes the stream's first 64 KiB again and again instead,
 * as iperf3 sends one buffer filled once.
 */
public final class BulkSender implements StackEndpoint.Application {
    private boolean hashing = true;
    private final InetSocketAddress remote;
    private InetSocketAddress local;
    private final long totalBytes;
    private final long startAtNanos;
    private final PseudoRandomStream stream;
    private final MessageDigest digest = Sha256.newDigest();
    private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
    /** Without hashing: the chunk holds the one block that is written again and again. */
    private boolean blockFilled;
    private ConnHandle conn;
    private long written;
    private boolean closed;
    private ResetReason failure;
    private ConnectionInfo lastInfo;
    private Stack stack;
    private long connectedNanos = Nanos.NEVER;
    private long released = Nanos.NEVER;

    /**
     * Skips SHA-256 (benchmarks that measure the network, not the hash); {@code sha256()} is then
     * meaningless. The payload is then one 64 KiB block of the stream, generated once and written
     * again and again (iperf3 fills its send buffer once, too): nothing checks the bytes, and
     * generating a fresh pseudo-random byte for every byte sent was a visible share of a simulated
     * bulk transfer's CPU. The packets keep their sizes and their timing; only the payload bytes
     * after the first block (and so the checksums) differ from a hashing sender's.
     */
    public BulkSender withoutHashing() {
        hashing = false;
        return this;
    }

    public BulkSender(InetSocketAddress remote, long totalBytes, long streamSeed) {
        this(remote, totalBytes, streamSeed, 0);
    }

    /** A sender that connects at {@code startAtNanos} (or when the host starts, if later). */
    public BulkSender(InetSocketAddress remote, long totalBytes, long streamSeed, long startAtNanos) {
        this.remote = remote;
        this.totalBytes = totalBytes;
        this.startAtNanos = startAtNanos;
        this.stream = new PseudoRandomStream(streamSeed);
        chunk.limit(0);
    }

    /**
     * Connects from {@code localAddress} (port chosen by the stack) instead of the host's first
     * address: on a multi-homed host this picks the path, as binding a socket does.
     */
    public BulkSender from(java.net.InetAddress localAddress) {
        this.local = new InetSocketAddress(localAddress, 0);
        return this;
    }

    @Override
    public void onStart(StackEndpoint endpoint, long nowNanos) {
        stack = endpoint.stack();
        if (startAtNanos <= nowNanos) {
            conn = endpoint.stack().connect(nowNanos, local, remote);
        }
    }

    /** For delayed starts: the test calls this at the start time. */
    public void start(StackEndpoint endpoint, long nowNanos) {
        stack = endpoint.stack();
        if (conn == null) {
            conn = endpoint.stack().connect(nowNanos, local, remote);
            endpoint.service(nowNanos);
        }
    }

    public long startAtNanos() {
        return startAtNanos;
    }

    @Override
    public void onEvent(StackEndpoint endpoint, long nowNanos, StackEvent event) {
        Stack stack = endpoint.stack();
        switch (event) {
            case StackEvent.Connected c when c.conn().equals(conn) -> {
                connectedNanos = nowNanos;
                pump(stack, nowNanos);
            }
            case StackEvent.Writable w when w.conn().equals(conn) -> pump(stack, nowNanos);
            case StackEvent.Reset r when r.conn().equals(conn) -> failure = r.reason();
            case StackEvent.ConnectFailed f when f.conn().equals(conn) -> failure = f.reason();
            case StackEvent.Closed c when c.conn().equals(conn) -> released = nowNanos;
            default -> { }
        }
        this.stack = stack;
        if (conn != null && !closed && isFor(event)) {
            // Only on this connection's own events: every event on the host reaches every application,
            // and a snapshot per event and application is O(connections) per packet. info() reads live.
            ConnectionInfo info = stack.info(conn);
            if (info != null) {
                lastInfo = info;
            }
        }
    }

    private boolean isFor(StackEvent event) {
        return switch (event) {
            case StackEvent.Connected c -> c.conn().equals(conn);
            case StackEvent.Readable r -> r.conn().equals(conn);
            case StackEvent.Writable w -> w.conn().equals(conn);
            case StackEvent.PeerClosed p -> p.conn().equals(conn);
            case StackEvent.Reset r -> r.conn().equals(conn);
            case StackEvent.ConnectFailed f -> f.conn().equals(conn);
            case StackEvent.Closed c -> c.conn().equals(conn);
            case StackEvent.Incoming i -> false;
        };
    }

    private void pump(Stack stack, long nowNanos) {
        while (written < totalBytes) {
            if (!chunk.hasRemaining()) {
                int n = (int) Math.min(chunk.capacity(), totalBytes - written);
                if (hashing || !blockFilled) {
                    chunk.clear().limit(n);
                    stream.fill(chunk);
                    chunk.flip();
                    blockFilled = true;
                    if (hashing) {
                        digest.update(chunk.duplicate());
                    }
                } else {
                    // The block filled first is still in the chunk: write it again.
                    chunk.position(0).limit(n);
                }
            }
            int n = stack.write(nowNanos, conn, chunk);
            if (n <= 0) {
                return;
            }
            written += n;
        }
        if (!chunk.hasRemaining() && !closed) {
            lastInfo = stack.info(conn);
            closed = true;
            stack.close(nowNanos, conn);
        }
    }

    public ConnHandle conn() {
        return conn;
    }

    /** Bytes the stack has taken. */
    public long written() {
        return written;
    }

    public boolean isDone() {
        return closed;
    }

    public Optional<ResetReason> failure() {
        return Optional.ofNullable(failure);
    }

    /** SHA-256 of everything written so far. */
    public String sha256() {
        return Sha256.peekHex(digest);
    }

    /**
     * The connection's statistics: live while the connection is open and not yet closed by this
     * application, else as last seen (at the close, or at its last event before it was released).
     */
    public ConnectionInfo info() {
        if (!closed && conn != null && stack != null) {
            ConnectionInfo live = stack.info(conn);
            if (live != null) {
                return live;
            }
        }
        return lastInfo;
    }

    public long connectedNanos() {
        return connectedNanos;
    }

    public long releasedNanos() {
        return released;
    }
}
