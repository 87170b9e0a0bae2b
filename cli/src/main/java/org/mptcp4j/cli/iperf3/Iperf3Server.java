package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * iperf3's server side (iperf_server_api.c) on any {@link Transport}: it serves one test at a time,
 * answers a second client with ACCESS_DENIED while a test runs, and refuses what it does not do (UDP,
 * SCTP, -O) with SERVER_ERROR and iperf3's error number, so the client prints iperf3's own message.
 */
public final class Iperf3Server {
    private static final String RULE = "-----------------------------------------------------------";
    /** How long a new connection may take to send its cookie, and the client its parameters. */
    private static final int HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final Transport transport;
    private final Output output;
    /** A connection the busy-refusing thread accepted just after a test ended: the next test's control connection. */
    private final AtomicReference<Socket> handedOver = new AtomicReference<>();

    public Iperf3Server(Transport transport, Output output) {
        this.transport = transport;
        this.output = output;
    }


    /**
     * Listens on {@code local} and serves tests until the thread is interrupted, or only the first
     * with {@code oneOff} (iperf3's -1), whose outcome it returns. A failed test ends a one-off
     * server with its exception; otherwise the server reports it and waits for the next client.
     */
    public Outcome serve(InetSocketAddress local, boolean oneOff) throws IOException {
        return serve(local, oneOff, port -> {});
    }

    /** {@link #serve(InetSocketAddress, boolean)}, telling {@code onListening} the port once it accepts connections. */
    public Outcome serve(InetSocketAddress local, boolean oneOff, java.util.function.IntConsumer onListening) throws IOException {
        try (ServerSocket listener = transport.listen(local)) {
            onListening.accept(listener.getLocalPort());
            for (int test = 1; ; test++) {
                if (!output.json()) {
                    output.out().println(RULE);
                    output.out().println("Server listening on " + listener.getLocalPort() + " (test #" + test + ")");
                    output.out().println(RULE);
                    output.out().flush();
                }
                try {
                    Optional<Outcome> outcome = serveOne(listener, oneOff);
                    if (outcome.isEmpty()) {
                        test--; // not a test: a connection that sent no cookie
                        continue;
                    }
                    if (oneOff) {
                        return outcome.get();
                    }
                } catch (Iperf3Exception e) {
                    if (oneOff) {
                        throw e;
                    }
                    output.out().println("iperf3: error - " + e.getMessage());
                }
            }
        }
    }

    /** One test; a server that goes on serving notes a fallback in its output (a one-off one exits with it). */
    private Optional<Outcome> serveOne(ServerSocket listener, boolean oneOff) throws IOException {
        listener.setSoTimeout(0);
        Socket early = handedOver.getAndSet(null);
        Socket controlSocket = early != null ? early : listener.accept();
        String cookie;
        try {
            controlSocket.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            cookie = ControlChannel.readCookie(controlSocket.getInputStream());
        } catch (IOException noCookie) {
            controlSocket.close();
            return Optional.empty();
        }
        Report report = new Report(output.out(), output.json(), false);
        try (ControlChannel control = new ControlChannel(controlSocket)) {
            InetSocketAddress peer = (InetSocketAddress) controlSocket.getRemoteSocketAddress();
            report.line("Accepted connection from %s, port %d", peer.getAddress().getHostAddress(), peer.getPort());
            control.writeState(State.PARAM_EXCHANGE);
            TestSettings settings = switch (TestSettings.parse(control.readJson())) {
                case TestSettings.Parsed.Ok ok -> ok.settings();
                case TestSettings.Parsed.Refused r -> {
                    control.writeServerError(r.iperfErrno(), 0);
                    throw new Iperf3Exception(Iperf3Exception.Kind.PEER_ERROR, "refused the test: " + r.why());
                }
            };
            describeStart(report, controlSocket, peer, cookie, settings);
            TestRun run = new TestRun(settings, false, transport, report, output.intervalSeconds());
            try {
                control.writeState(State.CREATE_STREAMS);
                acceptStreams(listener, cookie, run);
                controlSocket.setSoTimeout(0);
                AtomicBoolean testRunning = new AtomicBoolean(true);
                Thread busy = Thread.ofVirtual().name("iperf3-busy").start(() -> refuseOthers(listener, testRunning));
                try {
                    control.writeState(State.TEST_START);
                    control.writeState(State.TEST_RUNNING);
                    run.start(() -> {});
                    runUntilDone(control, run);
                } finally {
                    // Not an interrupt: java.net closes a socket whose blocked virtual thread is interrupted.
                    testRunning.set(false);
                    joinQuietly(busy);
                }
                Optional<String> fallback = run.fallbackReason();
                report.root().set("mptcp4j", run.extraJson());
                fallback.ifPresent(why -> {
                    report.root().with("mptcp4j").put("fell_back_to_tcp", why);
                    if (!oneOff) {
                        report.line("mptcp4j: fell back to TCP: %s", why);
                    }
                });
                report.printJson();
                return Optional.of(new Outcome(fallback));
            } finally {
                run.close();
            }
        } catch (Iperf3Exception e) {
            report.root().put("error", e.getMessage());
            report.printJson();
            throw e;
        } catch (IOException e) {
            Iperf3Exception failed = new Iperf3Exception(Iperf3Exception.Kind.PEER_CLOSED, "the client went away: " + e.getMessage(), e);
            report.root().put("error", failed.getMessage());
            report.printJson();
            throw failed;
        }
    }

    private void describeStart(Report report, Socket control, InetSocketAddress peer, String cookie, TestSettings settings) {
        ObjectNode start = report.start();
        start.put("version", output.version());
        start.put("system_info", systemInfo());
        ObjectNode accepted = start.putObject("accepted_connection");
        accepted.put("host", peer.getAddress().getHostAddress());
        accepted.put("port", peer.getPort());
        timestamp(start);
        start.put("cookie", cookie);
        start.put("tcp_mss_default", 0);
        start.put("target_bitrate", 0);
        testStart(start, settings, output.intervalSeconds());
    }

    static void timestamp(ObjectNode start) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        ObjectNode t = start.putObject("timestamp");
        t.put("time", now.format(DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT)).replace("UTC", "GMT")
                .replace(" Z", " GMT"));
        t.put("timesecs", now.toEpochSecond());
    }

    static void testStart(ObjectNode start, TestSettings s, double intervalSeconds) {
        ObjectNode t = start.putObject("test_start");
        t.put("protocol", "TCP");
        t.put("num_streams", s.streams());
        t.put("blksize", s.blockBytes());
        t.put("omit", s.omitSeconds());
        t.put("duration", s.durationSeconds());
        t.put("bytes", s.bytes());
        t.put("blocks", s.blocks());
        t.put("reverse", s.reverse() ? 1 : 0);
        t.put("tos", 0);
        t.put("target_bitrate", 0);
        t.put("bidir", s.bidirectional() ? 1 : 0);
        t.put("interval", intervalSeconds);
    }

    static String systemInfo() {
        return System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch")
                + ", Java " + Runtime.version();
    }

    /** CREATE_STREAMS: the test's data connections, each opening with the test's cookie. */
    private void acceptStreams(ServerSocket listener, String cookie, TestRun run) throws IOException {
        listener.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
        while (!run.complete()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (SocketTimeoutException e) {
                throw new Iperf3Exception(Iperf3Exception.Kind.PEER_CLOSED, "the client opened " + run.streams().size()
                        + " of " + run.settings().streamCount() + " streams within " + HANDSHAKE_TIMEOUT_MILLIS / 1000 + " s");
            }
            s.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
            String theirs;
            try {
                theirs = ControlChannel.readCookie(s.getInputStream());
            } catch (IOException noCookie) {
                s.close();
                continue;
            }
            if (!theirs.equals(cookie)) {
                deny(s);
                continue;
            }
            s.setSoTimeout(0);
            run.add(s);
        }
    }

    /** While a test runs, another client is told ACCESS_DENIED, as iperf3 does ("the server is busy"). */
    private void refuseOthers(ServerSocket listener, AtomicBoolean testRunning) {
        try {
            listener.setSoTimeout(200);
        } catch (IOException e) {
            return;
        }
        while (testRunning.get() && !listener.isClosed()) {
            try {
                Socket s = listener.accept();
                if (!testRunning.get()) {
                    handedOver.set(s); // the test ended while this client connected: it is the next one
                    return;
                }
                s.setSoTimeout(HANDSHAKE_TIMEOUT_MILLIS);
                ControlChannel.readCookie(s.getInputStream());
                deny(s);
            } catch (SocketTimeoutException tick) {
                // look whether the test still runs
            } catch (IOException e) {
                // a connection that went away before its cookie: nothing to answer
            }
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void deny(Socket s) {
        try (s) {
            s.getOutputStream().write(State.ACCESS_DENIED.code());
            s.getOutputStream().flush();
        } catch (IOException ignored) {
            // the other client is gone already
        }
    }

    /** TEST_RUNNING until the client's TEST_END, then the results exchange and DISPLAY_RESULTS. */
    private static void runUntilDone(ControlChannel control, TestRun run) throws IOException {
        while (true) {
            State state = control.readState();
            switch (state) {
                case TEST_END -> {
                    // iperf3's server closes the data connections here, before the results: a client that
                    // drains a reverse test with blocking reads of whole blocks waits for their end of stream.
                    run.stop();
                    run.close();
                    control.writeState(State.EXCHANGE_RESULTS);
                    ObjectNode theirs = control.readJson();
                    control.writeJson(run.results());
                    control.writeState(State.DISPLAY_RESULTS);
                    run.summarise(theirs);
                    awaitDone(control);
                    return;
                }
                case CLIENT_TERMINATE -> throw new Iperf3Exception(Iperf3Exception.Kind.PEER_ERROR, "the client has terminated");
                default -> throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "unexpected " + state + " while the test runs");
            }
        }
    }

    /** IPERF_DONE ends the test; a client that closes instead has seen its results all the same. */
    private static void awaitDone(ControlChannel control) throws IOException {
        try {
            State s = control.readState();
            if (s != State.IPERF_DONE && s != State.CLIENT_TERMINATE) {
                throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "expected IPERF_DONE, got " + s);
            }
        } catch (Iperf3Exception e) {
            if (e.kind() != Iperf3Exception.Kind.PEER_CLOSED) {
                throw e;
            }
        }
    }
}
