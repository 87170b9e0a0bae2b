package org.mptcp4j.bench.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.base.SplitMix64;
import org.mptcp4j.net.driver.RealTimeDriver;
import org.mptcp4j.net.driver.StackDrivenEndpoint;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.stack.StackEvent;

/**
 * Bulk through the socket API beside the engine driven directly, in the same run (issue 16: within
 * 10 %). Both move the same bytes one way between two stacks over loopback UDP with default
 * {@link StackConfig} (MPTCP on, one subflow), each stack on its own {@link RealTimeDriver}, no
 * hashing (the stacks and the API are what is measured):
 * <ul>
 *   <li>{@code socket}: {@link MptcpSocket}s, 64 KB writes on one platform thread, 64 KB reads on
 *       another, as an application does;
 *   <li>{@code direct}: a {@link StackDrivenEndpoint} that writes into and reads from the {@link Stack}
 *       itself inside the reactor's turns, whenever the stack's events say it can: no socket
 *       buffers, no application threads.
 * </ul>
 * Goodput is bytes over the time from the first write to the last byte read.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.mptcp4j.bench.net.SocketBulkBenchmark [rounds] [bytes]
 * </pre>
 * (defaults 3 and 300 000 000; the two kinds alternate within each round).
 */
public final class SocketBulkBenchmark {
    private static final InetAddress SERVER = InetAddress.ofLiteral("127.0.0.2");
    private static final InetAddress CLIENT = InetAddress.ofLiteral("127.0.0.1");
    private static final int PORT = 5301;
    private static final byte[] BLOCK = block();

    private SocketBulkBenchmark() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        long bytes = args.length > 1 ? Long.parseLong(args[1]) : 300_000_000L;
        System.out.printf("%-6s %-6s %12s %10s%n", "kind", "round", "goodput", "seconds");
        for (int round = 1; round <= rounds; round++) {
            double socket = report("socket", round, bytes, socketTransfer(bytes));
            double direct = report("direct", round, bytes, directTransfer(bytes));
            System.out.printf("socket / direct, round %d: %.2f%n", round, socket / direct);
        }
    }

    private static double report(String kind, int round, long bytes, long nanos) {
        double mbps = bytes * 8e3 / nanos;
        System.out.printf("%-6s %-6d %7.1f Mb/s %10.2f%n", kind, round, mbps, nanos / 1e9);
        return mbps;
    }

    private static long socketTransfer(long bytes) throws Exception {
        UdpDriver serverLink = UdpDriver.builder().local(SERVER, 0).open();
        UdpDriver clientLink = UdpDriver.builder().local(CLIENT, 0).peer(SERVER, serverLink.localSocketAddress(SERVER)).open();
        serverLink.addPeer(CLIENT, clientLink.localSocketAddress(CLIENT));
        MptcpHost serverHost = MptcpHost.overUdp("bulk-server", StackConfig.defaults(), serverLink, List.of(SERVER));
        MptcpHost clientHost = MptcpHost.overUdp("bulk-client", StackConfig.defaults(), clientLink, List.of(CLIENT));
        try (MptcpServerSocket listener = new MptcpServerSocket(serverHost, new InetSocketAddress(SERVER, PORT), 8)) {
            CompletableFuture<Long> lastRead = new CompletableFuture<>();
            Thread reader = Thread.ofPlatform().start(() -> {
                try (MptcpSocket s = listener.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] buf = new byte[1 << 16];
                    long got = 0;
                    while (got < bytes) {
                        int n = in.read(buf);
                        if (n < 0) {
                            throw new IOException("end of stream after " + got + " bytes");
                        }
                        got += n;
                    }
                    lastRead.complete(System.nanoTime());
                } catch (Throwable t) {
                    lastRead.completeExceptionally(t);
                }
            });
            try (MptcpSocket s = MptcpSocket.connect(clientHost, new InetSocketAddress(SERVER, PORT), 5_000)) {
                OutputStream out = s.getOutputStream();
                long start = System.nanoTime();
                for (long left = bytes; left > 0; left -= BLOCK.length) {
                    out.write(BLOCK, 0, (int) Math.min(BLOCK.length, left));
                }
                long end = lastRead.get(300, TimeUnit.SECONDS);
                reader.join();
                return end - start;
            }
        } finally {
            clientHost.close(Duration.ofSeconds(1));
            serverHost.close(Duration.ofSeconds(1));
        }
    }

    private static long directTransfer(long bytes) throws Exception {
        UdpDriver serverLink = UdpDriver.builder().local(SERVER, 0).open();
        UdpDriver clientLink = UdpDriver.builder().local(CLIENT, 0).peer(SERVER, serverLink.localSocketAddress(SERVER)).open();
        serverLink.addPeer(CLIENT, clientLink.localSocketAddress(CLIENT));
        BulkEndpoint server = new BulkEndpoint(SERVER, 1, 0);
        BulkEndpoint client = new BulkEndpoint(CLIENT, 2, bytes);
        server.listener = server.stack().listen(new InetSocketAddress(SERVER, PORT), 8);
        RealTimeDriver serverDriver = new RealTimeDriver("bulk-direct-server", serverLink, server).start();
        RealTimeDriver clientDriver = new RealTimeDriver("bulk-direct-client", clientLink, client).start();
        try {
            server.expected = bytes;
            long start = System.nanoTime();
            clientDriver.submit(() -> client.conn = client.stack().connect(clientDriver.nowNanos(),
                    new InetSocketAddress(CLIENT, 0), new InetSocketAddress(SERVER, PORT))).get(5, TimeUnit.SECONDS);
            if (!server.done.await(300, TimeUnit.SECONDS)) {
                throw new IOException("the direct transfer did not finish: " + server.received + " of " + bytes + " bytes");
            }
            return server.doneNanos - start;
        } finally {
            clientDriver.close();
            serverDriver.close();
        }
    }

    /**
     * The engine driven directly: a stack whose connection writes {@code toSend} bytes (the client)
     * or reads everything (the server) inside the driver's turns, on the stack's events.
     */
    private static final class BulkEndpoint extends StackDrivenEndpoint {
        final long toSend;
        final CountDownLatch done = new CountDownLatch(1);
        final ByteBuffer readBuffer = ByteBuffer.allocate(1 << 16);
        ListenerHandle listener;
        ConnHandle conn;
        long sent;
        volatile long expected = Long.MAX_VALUE;
        volatile long received;
        volatile long doneNanos;

        BulkEndpoint(InetAddress address, long seed, long toSend) {
            super(new Stack(StackConfig.defaults(), new SplitMix64(seed)));
            stack.addAddress(address);
            this.toSend = toSend;
        }

        /** After each turn's input: accept, then move bytes as far as the stack lets us. */
        @Override
        public void dispatchEvents(long nowNanos) {
            StackEvent e;
            while ((e = stack.pollEvent()) != null) {
                if (e instanceof StackEvent.Incoming && listener != null) {
                    conn = stack.accept(listener);
                }
            }
            if (conn == null) {
                return;
            }
            while (sent < toSend) {
                int n = stack.write(nowNanos, conn, ByteBuffer.wrap(BLOCK, 0, (int) Math.min(BLOCK.length, toSend - sent)));
                if (n <= 0) {
                    break;
                }
                sent += n;
            }
            if (toSend == 0) {
                int n;
                while ((n = stack.read(nowNanos, conn, readBuffer.clear())) > 0) {
                    received += n;
                }
                if (received >= expected && doneNanos == 0) {
                    doneNanos = System.nanoTime();
                    done.countDown();
                }
            }
        }
    }

    private static byte[] block() {
        byte[] b = new byte[1 << 16];
        SplitMix64 rng = new SplitMix64(16);
        for (int i = 0; i < b.length; i += 8) {
            long v = rng.nextLong();
            for (int j = 0; j < 8; j++) {
                b[i + j] = (byte) (v >>> (8 * j));
            }
        }
        return b;
    }
}
