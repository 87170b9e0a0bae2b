package org.mptcp4j.cli.iperf3;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.mptcp.SchedulerTrace;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunDevice;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * {@code ./mptcp4j perf -s} and {@code perf -c HOST}: mptcp4j on the testbed's TUN as an iperf3
 * server or client, so that the iperf3 a user already has (run in the testbed's kernel namespace,
 * under {@code mptcpize} for MPTCP) measures against it. Every failure ends as one line on stderr
 * and an exit code of its own ({@link Iperf3Exception.Kind}), never as a stack trace.
 */
public final class Iperf3Runner {
    private final Iperf3Options options;
    private final PrintStream out;
    private final PrintStream err;

    public Iperf3Runner(Iperf3Options options, PrintStream out, PrintStream err) {
        this.options = options;
        this.out = out;
        this.err = err;
    }

    /**
     * Runs the server or the client and returns the exit code.
     *
     * @param testbedId the testbed to run on, or null for the only one up
     * @param config the stack's configuration given the default endpoints for the role (the
     *     client's: a {@code subflow} endpoint on the testbed's path-B address, so that a second
     *     subflow takes path B; the server's: none, the kernel client joins on its own)
     * @param trace where the host's scheduling decisions go ({@code --scheduler-trace}), or null
     */
    public int run(String testbedId, int port, boolean gso, boolean receiveOffload, Function<List<Endpoint>, StackConfig> config,
            String version, SchedulerTrace trace) {
        if (options.server == (options.client != null)) {
            err.println("mptcp4j perf: give either -s (iperf3 server) or -c HOST (iperf3 client)");
            return 2;
        }
        TestSettings settings = null;
        if (options.client != null && (settings = options.settings(err)) == null) {
            return 2;
        }
        try {
            Testbed testbed = testbed(testbedId);
            TestbedLayout l = testbed.layout();
            InetAddress local = options.bind == null ? l.mptcp4jAddressA() : resolve(options.bind);
            List<Endpoint> endpoints = options.client != null
                    ? List.of(Endpoint.of(l.mptcp4jAddressB(), 1, Endpoint.Flag.SUBFLOW)) : List.of();
            TunDevice tun = openTun(testbed, gso, receiveOffload);
            MptcpHost host = MptcpHost.start("iperf3", config.apply(endpoints), new SecureRng(), new TunLink(tun, true),
                    List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null);
            try {
                if (trace != null) {
                    host.setSchedulerTrace(trace);
                }
                Transport transport = new MptcpTransport(host, local);
                Output output = new Output(out, options.json, options.interval, version);
                Optional<String> fallback;
                if (options.server) {
                    fallback = new Iperf3Server(transport, output)
                            .serve(new InetSocketAddress(local, port), options.oneOff).fallbackReason();
                } else {
                    InetSocketAddress server = new InetSocketAddress(resolve(options.client), port);
                    try {
                        fallback = new Iperf3Client(transport, output)
                                .run(server, settings, options.connectTimeoutMillis).fallbackReason();
                    } catch (IOException e) {
                        throw Failures.ofConnect(e, server, options.connectTimeoutMillis);
                    }
                }
                if (fallback.isPresent()) {
                    err.println("mptcp4j perf: fell back to TCP: " + fallback.get());
                    return Iperf3Exception.Kind.FELL_BACK_TO_TCP.exitCode();
                }
                return 0;
            } finally {
                // What the test left in flight is of no use to anyone: two seconds for the FINs, no more.
                host.close(Duration.ofSeconds(2));
            }
        } catch (Iperf3Exception e) {
            err.println("mptcp4j perf: " + e.getMessage());
            return e.kind().exitCode();
        } catch (IOException e) {
            Iperf3Exception f = Failures.of(e, port);
            err.println("mptcp4j perf: " + f.getMessage());
            return f.kind().exitCode();
        } catch (RuntimeException e) {
            err.println("mptcp4j perf: internal error: " + e);
            return 1;
        }
    }

    private static InetAddress resolve(String host) throws Iperf3Exception {
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new Iperf3Exception(Iperf3Exception.Kind.UNREACHABLE, "unknown host " + host);
        }
    }

    private static Testbed testbed(String id) throws IOException {
        if (id != null) {
            return Testbed.find(id).orElseThrow(() -> new Iperf3Exception(Iperf3Exception.Kind.NO_TESTBED,
                    "no testbed " + id + ": './mptcp4j testbed up --id " + id + "' brings one up (as root)"));
        }
        List<Testbed> up = Testbed.list();
        if (up.size() != 1) {
            throw new Iperf3Exception(Iperf3Exception.Kind.NO_TESTBED, up.isEmpty()
                    ? "no testbed is up: './mptcp4j testbed up' brings one up (as root)"
                    : "several testbeds are up: name one with --testbed ID");
        }
        return up.getFirst();
    }

    private static TunDevice openTun(Testbed t, boolean gso, boolean receiveOffload) throws IOException {
        try {
            return t.openTun(gso, gso && receiveOffload);
        } catch (IOException e) {
            throw Failures.ofTun(e, t);
        }
    }
}
