package org.mptcp4j.cli.sim;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackEvent;

/**
 * The reverse direction of a transfer ({@code simult_flows.sh}: "reverse direction"): the client
 * connects and reads until the end of stream; the server writes {@code totalBytes} of zeros (the
 * script's {@code /dev/zero} file) to the first connection it accepts, then closes. Two applications, one per end.
 */
final class Download {
    private Download() {}

    /** The connecting, reading end. */
    static final class Client implements StackEndpoint.Application {
        private final InetSocketAddress local;
        private final InetSocketAddress remote;
        private final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        private ConnHandle conn;
        private long bytes;
        private long eofNanos = Nanos.NEVER;

        Client(InetSocketAddress local, InetSocketAddress remote) {
            this.local = local;
            this.remote = remote;
        }

        @Override
        public void onStart(StackEndpoint endpoint, long nowNanos) {
            conn = endpoint.stack().connect(nowNanos, local, remote);
        }

        @Override
        public void onEvent(StackEndpoint endpoint, long nowNanos, StackEvent event) {
            if (event instanceof StackEvent.Readable r && r.conn().equals(conn)) {
                Stack stack = endpoint.stack();
                while (true) {
                    buf.clear();
                    int n = stack.read(nowNanos, conn, buf);
                    if (n < 0) {
                        if (eofNanos == Nanos.NEVER) {
                            eofNanos = nowNanos;
                            stack.close(nowNanos, conn);
                        }
                        return;
                    }
                    if (n == 0) {
                        return;
                    }
                    bytes += n;
                }
            }
        }

        long bytes() {
            return bytes;
        }

        /** When the end of stream arrived ({@link Nanos#NEVER} before). */
        long eofNanos() {
            return eofNanos;
        }
    }

    /** The listening, writing end. */
    static final class Server implements StackEndpoint.Application {
        private final int port;
        private final long totalBytes;
        private final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
        private ListenerHandle listener;
        private ConnHandle conn;
        private long written;
        private boolean closed;

        Server(int port, long totalBytes) {
            this.port = port;
            this.totalBytes = totalBytes;
            chunk.limit(0);
        }

        @Override
        public void onStart(StackEndpoint endpoint, long nowNanos) {
            listener = endpoint.stack().listen(new InetSocketAddress(SharedBottleneckRun.address("0.0.0.0"), port), 16);
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
                case StackEvent.Writable w when w.conn().equals(conn) -> pump(stack, nowNanos);
                default -> { }
            }
        }

        private void pump(Stack stack, long nowNanos) {
            while (written < totalBytes) {
                if (!chunk.hasRemaining()) {
                    chunk.clear().limit((int) Math.min(chunk.capacity(), totalBytes - written));
                }
                int n = stack.write(nowNanos, conn, chunk);
                if (n <= 0) {
                    return;
                }
                written += n;
            }
            if (!closed) {
                closed = true;
                stack.close(nowNanos, conn);
            }
        }
    }
}
