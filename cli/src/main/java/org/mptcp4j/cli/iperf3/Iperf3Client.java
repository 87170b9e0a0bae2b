package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.Optional;

/**
 * iperf3's client side (iperf_client_api.c) on any {@link Transport}: it sends the cookie and the
 * test's parameters, opens the data connections when told to, runs the test for -t seconds or -n
 * bytes, sends TEST_END, exchanges results and prints the summary from both ends' figures.
 */
public final class Iperf3Client {
    private final Transport transport;
    private final Output output;

    public Iperf3Client(Transport transport, Output output) {
        this.transport = transport;
        this.output = output;
    }


    /** Runs one test against the server; {@code connectTimeoutMillis} 0 waits as long as the stack tries. */
    public Outcome run(InetSocketAddress server, TestSettings settings, int connectTimeoutMillis) throws IOException {
        Report report = new Report(output.out(), output.json(), true);
        report.line("Connecting to host %s, port %d", server.getAddress().getHostAddress(), server.getPort());
        if (settings.reverse()) {
            report.line("Reverse mode, remote host %s is sending", server.getAddress().getHostAddress());
        }
        String cookie = ControlChannel.newCookie(new SecureRandom());
        describeStart(report, server, cookie, settings);
        TestRun run = new TestRun(settings, true, transport, report, output.intervalSeconds());
        try (ControlChannel control = new ControlChannel(transport.connect(server, connectTimeoutMillis))) {
            ControlChannel.writeCookie(control.socket().getOutputStream(), cookie);
            ObjectNode theirs = null;
            while (true) {
                State state = control.readState();
                switch (state) {
                    case PARAM_EXCHANGE -> control.writeJson(settings.toJson(output.version()));
                    case CREATE_STREAMS -> {
                        for (int i = 0; i < settings.streamCount(); i++) {
                            Socket s = transport.connect(server, connectTimeoutMillis);
                            ControlChannel.writeCookie(s.getOutputStream(), cookie);
                            run.add(s);
                        }
                    }
                    case TEST_START -> {
                        // iperf3 prepares its timers here; the clock starts with TEST_RUNNING
                    }
                    case TEST_RUNNING -> run.start(() -> endTest(run, control));
                    case EXCHANGE_RESULTS -> {
                        run.stop(); // the server may end a test first (its own limits); stopping twice is harmless
                        control.writeJson(run.results());
                        theirs = control.readJson();
                    }
                    case DISPLAY_RESULTS -> {
                        if (theirs == null) {
                            throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "DISPLAY_RESULTS before the results exchange");
                        }
                        run.summarise(theirs);
                        control.writeState(State.IPERF_DONE);
                        Optional<String> fallback = run.fallbackReason();
                        report.root().set("mptcp4j", run.extraJson());
                        fallback.ifPresent(why -> report.root().with("mptcp4j").put("fell_back_to_tcp", why));
                        report.line("");
                        report.line("iperf Done.");
                        report.printJson();
                        return new Outcome(fallback);
                    }
                    case SERVER_TERMINATE -> throw new Iperf3Exception(Iperf3Exception.Kind.PEER_ERROR, "the server has terminated");
                    case ACCESS_DENIED -> throw new Iperf3Exception(Iperf3Exception.Kind.PEER_ERROR,
                            "the server is busy running a test. try again later");
                    case SERVER_ERROR -> {
                        int iperfErrno = control.readInt();
                        int errno = control.readInt();
                        throw new Iperf3Exception(Iperf3Exception.Kind.PEER_ERROR, "the server reported an error: "
                                + IperfErrors.describe(iperfErrno) + (errno != 0 ? " (errno " + errno + ")" : ""));
                    }
                    default -> throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "unexpected " + state + " from the server");
                }
            }
        } catch (IOException e) {
            report.root().put("error", e.getMessage());
            report.printJson();
            throw e;
        } finally {
            run.close();
        }
    }

    /** The time is up or the bytes are moved: stop the streams and tell the server (TEST_END). */
    private static void endTest(TestRun run, ControlChannel control) {
        run.stop();
        try {
            control.writeState(State.TEST_END);
        } catch (IOException e) {
            // The main thread reading the control connection sees it closed and reports that.
            throw new UncheckedIOException(e);
        }
    }

    private void describeStart(Report report, InetSocketAddress server, String cookie, TestSettings settings) {
        ObjectNode start = report.start();
        start.put("version", output.version());
        start.put("system_info", Iperf3Server.systemInfo());
        Iperf3Server.timestamp(start);
        ObjectNode to = start.putObject("connecting_to");
        to.put("host", server.getAddress().getHostAddress());
        to.put("port", server.getPort());
        start.put("cookie", cookie);
        start.put("tcp_mss_default", 0);
        start.put("target_bitrate", 0);
        Iperf3Server.testStart(start, settings, output.intervalSeconds());
    }
}
