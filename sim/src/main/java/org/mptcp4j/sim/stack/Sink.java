package org.mptcp4j.sim.stack;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackEvent;

/**
 * An application that listens on a port, accepts every connection, reads everything as soon as it
 * arrives (hashing each flow with SHA-256) and closes at end of stream.
 */
public final class Sink implements StackEndpoint.Application {
    private boolean hashing = true;
    private final int port;
    private final ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
    private final Map<ConnHandle, Flow> flows = new LinkedHashMap<>();
    private ListenerHandle listener;
    private int completeFlows;

    /** Skips SHA-256 (benchmarks that measure the network, not the hash); {@code sha256()} is then meaningless. */
    public Sink withoutHashing() {
        hashing = false;
        return this;
    }

    /** One accepted connection. */
    public static final class Flow {
        private final ConnHandle conn;
        private final MessageDigest digest = Sha256.newDigest();
        private long bytes;
        private final long acceptedNanos;
        private long firstByteNanos = Nanos.NEVER;
        private long eofNanos = Nanos.NEVER;

        Flow(ConnHandle conn, long acceptedNanos) {
            this.conn = conn;
            this.acceptedNanos = acceptedNanos;
        }

        public ConnHandle conn() {
            return conn;
        }

        public long bytes() {
            return bytes;
        }

        public String sha256() {
            return Sha256.peekHex(digest);
        }

        public boolean isComplete() {
            return eofNanos != Nanos.NEVER;
        }

        public long acceptedNanos() {
            return acceptedNanos;
        }

        public long firstByteNanos() {
            return firstByteNanos;
        }

        public long eofNanos() {
            return eofNanos;
        }
    }

    public Sink(int port) {
        this.port = port;
    }

    @Override
    public void onStart(StackEndpoint endpoint, long nowNanos) {
        listener = endpoint.stack().listen(new InetSocketAddress(wildcard(), port), 128);
    }

    @Override
    public void onEvent(StackEndpoint endpoint, long nowNanos, StackEvent event) {
        Stack stack = endpoint.stack();
        switch (event) {
            case StackEvent.Incoming i when i.listener().equals(listener) -> {
                ConnHandle c;
                while ((c = stack.accept(listener)) != null) {
                    flows.put(c, new Flow(c, nowNanos));
                }
            }
            case StackEvent.Readable r -> {
                Flow f = flows.get(r.conn());
                if (f != null) {
                    drain(stack, nowNanos, f);
                }
            }
            default -> { }
        }
    }

    private void drain(Stack stack, long nowNanos, Flow f) {
        while (true) {
            buf.clear();
            // Not hashing, it only counts: the bytes go uncopied (iperf3 --skip-rx-copy), as many per
            // call as a read would take, so the connection sees the same reads.
            int n = hashing ? stack.read(nowNanos, f.conn, buf) : stack.discard(nowNanos, f.conn, buf.capacity());
            if (n < 0) {
                if (f.eofNanos == Nanos.NEVER) {
                    f.eofNanos = nowNanos;
                    completeFlows++;
                    stack.close(nowNanos, f.conn);
                }
                return;
            }
            if (n == 0) {
                return;
            }
            if (f.firstByteNanos == Nanos.NEVER) {
                f.firstByteNanos = nowNanos;
            }
            buf.flip();
            if (hashing) {
                f.digest.update(buf);
            }
            f.bytes += n;
        }
    }

    public List<Flow> flows() {
        return new ArrayList<>(flows.values());
    }

    /**
     * How many flows have reached their end of stream: cheap enough for a {@code runUntil}
     * condition, which is checked after every event ({@link #flows()} copies).
     */
    public int completeFlows() {
        return completeFlows;
    }

    /** The only flow (fails if there is none or several). */
    public Flow flow() {
        if (flows.size() != 1) {
            throw new IllegalStateException(flows.size() + " flows");
        }
        return flows.values().iterator().next();
    }

    /** Bytes received over all flows. */
    public long totalBytes() {
        long sum = 0;
        for (Flow f : flows.values()) {
            sum += f.bytes;
        }
        return sum;
    }

    private static InetAddress wildcard() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
