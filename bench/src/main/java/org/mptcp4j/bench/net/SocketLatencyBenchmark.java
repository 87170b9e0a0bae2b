package org.mptcp4j.bench.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.api.MptcpServerSocket;
import org.mptcp4j.api.MptcpSocket;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.stack.StackConfig;

/**
 * The socket API's cost per call beside java.net's, in the same run: one-byte writes (a reader
 * drains the other end) and 100-byte request/response round trips (p50, p99, p99.9 from an
 * HdrHistogram). mptcp4j runs two hosts over loopback UDP (its own MPTCP stack, one subflow);
 * java.net runs the kernel's TCP over loopback. Both with java.net's defaults (Nagle on).
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.mptcp4j.bench.net.SocketLatencyBenchmark [rounds] [writes] [exchanges]
 * </pre>
 * (defaults 3, 1 000 000, 20 000: a million one-byte writes cycle the socket's 128 KiB send buffer many times).
 * A plain program rather than JMH: a round trip spans two threads of each side and the reactors,
 * and the percentiles, not a mean, are the figure.
 */
public final class SocketLatencyBenchmark {
    private static final int REQUEST_BYTES = 100;
    /** {@code -Dnodelay=true}: TCP_NODELAY on both ends (Nagle off). */
    private static final boolean NO_DELAY = Boolean.getBoolean("nodelay");

    private SocketLatencyBenchmark() {}

    /** A connected client and server socket and whatever carries them. */
    private interface Pair extends AutoCloseable {
        Socket client();

        Socket server();

        @Override
        void close() throws IOException;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int writes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        int exchanges = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        System.out.printf("%-8s %-6s %14s %16s %10s %10s %10s %10s%n", "engine", "round", "1-byte write",
                "1-byte e2e", "rr p50", "rr p99", "rr p99.9", "rr mean");
        for (int round = 1; round <= rounds; round++) {
            for (String engine : List.of("java.net", "mptcp4j")) {
                try (Pair p = engine.equals("java.net") ? kernelPair() : mptcp4jPair()) {
                    p.client().setTcpNoDelay(NO_DELAY);
                    p.server().setTcpNoDelay(NO_DELAY);
                    long[] w = oneByteWrites(p, writes);
                    Histogram rr = requestResponse(p, exchanges / 4); // warm-up, discarded
                    rr = requestResponse(p, exchanges);
                    System.out.printf("%-8s %-6d %11.2f µs %13.2f µs %7.1f µs %7.1f µs %7.1f µs %7.1f µs%n", engine, round,
                            w[0] / 1e3 / writes, w[1] / 1e3 / writes, rr.getValueAtPercentile(50) / 1e3,
                            rr.getValueAtPercentile(99) / 1e3, rr.getValueAtPercentile(99.9) / 1e3, rr.getMean() / 1e3);
                }
            }
        }
    }

    /**
     * {@code n} calls of {@code write(int)}; the nanoseconds the writer spent in them, and until the
     * reader at the other end had every byte.
     */
    private static long[] oneByteWrites(Pair p, int n) throws Exception {
        InputStream in = p.server().getInputStream();
        CompletableFuture<Long> drained = CompletableFuture.supplyAsync(() -> {
            try {
                byte[] buf = new byte[64 << 10];
                long got = 0;
                while (got < n) {
                    int r = in.read(buf);
                    if (r < 0) {
                        throw new IOException("end of stream after " + got);
                    }
                    got += r;
                }
                return System.nanoTime();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> Thread.ofPlatform().start(r));
        OutputStream out = p.client().getOutputStream();
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            out.write(i);
        }
        long written = System.nanoTime();
        long end = drained.get(120, TimeUnit.SECONDS);
        return new long[] {written - start, end - start};
    }

    /** {@code n} round trips of {@code REQUEST_BYTES} each way; their durations in nanoseconds. */
    private static Histogram requestResponse(Pair p, int n) throws Exception {
        Thread echo = Thread.ofPlatform().start(() -> {
            try {
                InputStream in = p.server().getInputStream();
                OutputStream out = p.server().getOutputStream();
                byte[] buf = new byte[REQUEST_BYTES];
                for (int i = 0; i < n; i++) {
                    in.readNBytes(buf, 0, REQUEST_BYTES);
                    out.write(buf);
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Histogram h = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        InputStream in = p.client().getInputStream();
        OutputStream out = p.client().getOutputStream();
        byte[] request = new byte[REQUEST_BYTES];
        byte[] response = new byte[REQUEST_BYTES];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            out.write(request);
            if (in.readNBytes(response, 0, REQUEST_BYTES) != REQUEST_BYTES) {
                throw new IOException("end of stream");
            }
            h.recordValue(System.nanoTime() - t0);
        }
        echo.join();
        return h;
    }

    private static Pair kernelPair() throws IOException {
        ServerSocket listener = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        Socket server = listener.accept();
        listener.close();
        return new Pair() {
            public Socket client() {
                return client;
            }

            public Socket server() {
                return server;
            }

            public void close() throws IOException {
                client.close();
                server.close();
            }
        };
    }

    private static Pair mptcp4jPair() throws IOException {
        InetAddress serverIp = InetAddress.ofLiteral("127.0.0.2");
        InetAddress clientIp = InetAddress.ofLiteral("127.0.0.1");
        UdpDriver serverLink = UdpDriver.builder().local(serverIp, 0).open();
        UdpDriver clientLink = UdpDriver.builder().local(clientIp, 0).peer(serverIp, serverLink.localSocketAddress(serverIp)).open();
        serverLink.addPeer(clientIp, clientLink.localSocketAddress(clientIp));
        MptcpHost serverHost = MptcpHost.overUdp("bench-server", StackConfig.defaults(), serverLink, List.of(serverIp));
        MptcpHost clientHost = MptcpHost.overUdp("bench-client", StackConfig.defaults(), clientLink, List.of(clientIp));
        MptcpServerSocket listener = new MptcpServerSocket(serverHost, new InetSocketAddress(serverIp, 0), 8);
        MptcpSocket client = MptcpSocket.connect(clientHost, listener.getLocalSocketAddress(), 5_000);
        MptcpSocket server = listener.accept();
        listener.close();
        return new Pair() {
            public Socket client() {
                return client;
            }

            public Socket server() {
                return server;
            }

            public void close() throws IOException {
                client.close();
                server.close();
                if (Boolean.getBoolean("driverStats")) { // how the turns ran: on the reactor, in writes, in leads
                    System.err.println("client " + clientHost.driver().stats() + "\nserver " + serverHost.driver().stats());
                }
                clientHost.close(Duration.ofSeconds(1));
                serverHost.close(Duration.ofSeconds(1));
            }
        };
    }
}
