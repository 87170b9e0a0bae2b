package org.mptcp4j.cli.iperf3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mptcp4j.api.MptcpHost;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.cli.Main;
import org.mptcp4j.net.testbed.KernelMptcp;
import org.mptcp4j.net.testbed.Nstat;
import org.mptcp4j.net.testbed.Shell;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedConfig;
import org.mptcp4j.net.testbed.TestbedLayout;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.stack.StackConfig;

/**
 * The iperf3 a user already has against mptcp4j, both ways, on the namespace testbed: {@code
 * mptcpize run iperf3 -c} in the kernel's namespace measuring an mptcp4j server on the TUN, and
 * {@code ./mptcp4j perf -c} measuring {@code mptcpize run iperf3 -s}. The kernel's MPTcpExt counters
 * and mptcp4j's MPTCP_INFO show that MPTCP ran with a subflow on each path; both ends' JSON agree on
 * the bytes. Two seconds per test.
 */
class Iperf3TestbedTest {
    private static Testbed testbed;
    private static TestbedLayout l;
    private static KernelMptcp kernel;

    @BeforeAll
    static void up() throws Exception {
        requireRootAndTun();
        RealIperf3.require("iperf3", "mptcpize", "nstat");
        testbed = Testbed.up(TestbedConfig.defaults(Testbed.newId()));
        l = testbed.layout();
        kernel = KernelMptcp.in(l.kernelNamespace());
    }

    @AfterAll
    static void down() throws Exception {
        if (testbed != null) {
            Testbed.down(testbed.config().id());
        }
    }

    @Test
    void mptcpizedIperf3Client_mptcp4jServer_mptcpOverBothPaths_bothEndsAgree() throws Exception {
        Map<String, Long> before = kernel.counters();
        Measured m = iperf3ClientAgainstMptcp4jServer(5301, "-t", "2");
        Map<String, Long> delta = Nstat.delta(before, kernel.counters());

        // The control connection and the stream are MPTCP, and the kernel joined each from its path-B address.
        assertThat(delta.getOrDefault("MPTcpExtMPCapableSYNACKRX", 0L)).as("kernel counters %s", delta).isEqualTo(2);
        assertThat(delta.getOrDefault("MPTcpExtMPJoinSynAckRx", 0L)).as("kernel counters %s", delta).isPositive();
        JsonNode stream = m.ours().path("mptcp4j").path("streams").get(0);
        assertThat(stream.path("mode").asText()).isEqualTo("MPTCP");
        assertThat(stream.path("subflows")).hasSize(2);
        assertThat(stream.path("subflows").findValuesAsText("remote_host")).containsExactlyInAnyOrder(
                l.kernelAddressA().getHostAddress(), l.kernelAddressB().getHostAddress());

        long sent = m.iperf3().path("end").path("sum_sent").path("bytes").asLong();
        long received = m.ours().path("end").path("sum_received").path("bytes").asLong();
        assertThat(received).as("iperf3 reports what mptcp4j received").isPositive()
                .isEqualTo(m.iperf3().path("end").path("sum_received").path("bytes").asLong()).isLessThanOrEqualTo(sent);
        assertThat(stream.path("bytes_received").asLong()).as("MPTCP_INFO's data-level bytes cover the counted ones")
                .isGreaterThanOrEqualTo(received);
    }

    @Test
    void mptcpizedIperf3Client_mptcp4jServer_reverse_iperf3ReceivesWhatMptcp4jSent() throws Exception {
        Measured m = iperf3ClientAgainstMptcp4jServer(5302, "-t", "2", "-R");
        long ourSent = m.ours().path("end").path("sum_sent").path("bytes").asLong();
        assertThat(m.iperf3().path("end").path("sum_sent").path("bytes").asLong()).isEqualTo(ourSent).isPositive();
        assertThat(m.iperf3().path("end").path("sum_received").path("bytes").asLong()).isPositive().isLessThanOrEqualTo(ourSent);
        JsonNode stream = m.ours().path("mptcp4j").path("streams").get(0);
        assertThat(stream.path("sender").asBoolean()).isTrue();
        assertThat(stream.path("mode").asText()).isEqualTo("MPTCP");
        assertThat(stream.path("bytes_acked").asLong()).isGreaterThanOrEqualTo(m.iperf3().path("end").path("sum_received").path("bytes").asLong());
    }

    @Test
    void mptcp4jClient_mptcpizedIperf3Server_bidir_joinsPathB_bothEndsAgree() throws Exception {
        int port = 5303;
        Map<String, Long> before = kernel.counters();
        RealIperf3 server = RealIperf3.start(List.of("ip", "netns", "exec", l.kernelNamespace(), "mptcpize", "run",
                "iperf3", "-s", "-1", "-J", "-p", Integer.toString(port)));
        try {
            awaitKernelListening(port);
            Path trace = Files.createTempFile("mptcp4j-iperf3-trace", ".csv");
            CliRun cli = cli("perf", "--testbed", testbed.config().id(), "-c", l.kernelAddressA().getHostAddress(),
                    "-p", Integer.toString(port), "-t", "2", "--bidir", "-J", "--scheduler-trace", trace.toString());
            assertThat(cli.code()).as(cli.err()).isZero();
            List<String> decisions = Files.readAllLines(trace);
            Files.delete(trace);
            assertThat(decisions).as("the scheduler's decisions while mptcp4j sent").hasSizeGreaterThan(10);
            assertThat(decisions.get(0)).startsWith("decision,");
            assertThat(cli.err()).contains("Scheduler trace: " + trace);
            assertThat(server.await(15)).isZero();
            JsonNode ours = ControlChannel.JSON.readTree(cli.out());
            JsonNode theirs = server.json();
            Map<String, Long> delta = Nstat.delta(before, kernel.counters());
            assertThat(delta.getOrDefault("MPTcpExtMPCapableSYNRX", 0L)).as("kernel counters %s", delta).isEqualTo(3);
            assertThat(delta.getOrDefault("MPTcpExtMPJoinSynRx", 0L)).as("kernel counters %s", delta).isPositive();

            assertThat(ours.path("end").path("sum_sent").path("bytes").asLong()).isPositive()
                    .isGreaterThanOrEqualTo(theirs.path("end").path("sum_received").path("bytes").asLong());
            assertThat(ours.path("end").path("sum_received_bidir_reverse").path("bytes").asLong()).isPositive()
                    .isLessThanOrEqualTo(theirs.path("end").path("sum_sent_bidir_reverse").path("bytes").asLong());
            for (JsonNode stream : ours.path("mptcp4j").path("streams")) {
                assertThat(stream.path("mode").asText()).isEqualTo("MPTCP");
                // The kernel also announces its B address (a signal endpoint); mptcp4j may join it from its
                // initial address too, as Linux's in-kernel path manager does, so addresses may repeat.
                assertThat(stream.path("subflows").findValuesAsText("local_host")).as("a subflow from each of mptcp4j's addresses")
                        .containsOnly(l.mptcp4jAddressA().getHostAddress(), l.mptcp4jAddressB().getHostAddress());
            }
        } finally {
            server.stop();
        }
    }

    // ---- errors a user can act on: one line, an exit code each

    @Test
    void client_nothingListening_refused_exit7() throws Exception {
        CliRun cli = cli("perf", "--testbed", testbed.config().id(), "-c", l.kernelAddressA().getHostAddress(), "-p", "5399", "-t", "1");
        assertOneLine(cli, Iperf3Exception.Kind.REFUSED, "unable to connect to 198.18.1.2 port 5399: connection refused");
    }

    @Test
    void client_noSuchHost_unreachable_exit6() throws Exception {
        CliRun cli = cli("perf", "--testbed", testbed.config().id(), "-c", "198.18.1.77", "--connect-timeout", "1000", "-t", "1");
        assertOneLine(cli, Iperf3Exception.Kind.UNREACHABLE, "unable to connect to 198.18.1.77 port 5201: no answer within 1000 ms");
    }

    @Test
    void client_bindToAnAddressNotMptcp4js_usage_exit2() throws Exception {
        CliRun cli = cli("perf", "--testbed", testbed.config().id(), "-c", l.kernelAddressA().getHostAddress(), "-B", "198.18.1.99", "-t", "1");
        assertOneLine(cli, Iperf3Exception.Kind.USAGE, "Cannot assign requested address: 198.18.1.99");
    }

    @Test
    void client_plainIperf3Server_fellBackToTcp_exit8_afterMeasuring() throws Exception {
        int port = 5304;
        RealIperf3 server = RealIperf3.start(List.of("ip", "netns", "exec", l.kernelNamespace(), "iperf3", "-s", "-1",
                "-p", Integer.toString(port)));
        try {
            awaitKernelListening(port);
            CliRun cli = cli("perf", "--testbed", testbed.config().id(), "-c", l.kernelAddressA().getHostAddress(),
                    "-p", Integer.toString(port), "-t", "1", "-i", "0");
            assertOneLine(cli, Iperf3Exception.Kind.FELL_BACK_TO_TCP,
                    "fell back to TCP: the server's SYN-ACK carried no MP_CAPABLE: it is not an MPTCP socket");
            assertThat(cli.out()).contains("sender", "receiver", "iperf Done.");
        } finally {
            server.await(10);
            server.stop();
        }
    }

    @Test
    void server_tunHeldByAnotherProcess_portInUse_exit5() throws Exception {
        try (var held = testbed.openTun()) {
            CliRun cli = cli("perf", "--testbed", testbed.config().id(), "-s", "-1");
            assertOneLine(cli, Iperf3Exception.Kind.PORT_IN_USE, "is in use by another process");
        }
    }

    @Test
    void server_withoutRootCapabilities_notPermitted_exit4() throws Exception {
        // Root without any capability, as an unprivileged user would be: setns(2) and TUNSETIFF need them.
        Child c = child(List.of("setpriv", "--inh-caps=-all", "--bounding-set=-all", "--"), "perf", "--testbed",
                testbed.config().id(), "-s", "-1");
        assertThat(c.code()).as(c.err()).isEqualTo(Iperf3Exception.Kind.NOT_PERMITTED.exitCode());
        assertThat(c.err().lines().toList()).singleElement().asString().startsWith("mptcp4j perf: not permitted").contains("run as root");
    }

    @Test
    void server_withoutDevNetTun_noTun_exit3() throws Exception {
        // A private mount namespace where /dev/net is an empty tmpfs: the machine's own /dev/net/tun stays as it is.
        Child c = child(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                "mount -t tmpfs none /dev/net && exec \"$@\"", "sh"), "perf", "--testbed", testbed.config().id(), "-s", "-1");
        assertThat(c.code()).as(c.err()).isEqualTo(Iperf3Exception.Kind.NO_TUN.exitCode());
        assertThat(c.err().lines().toList()).singleElement().asString().startsWith("mptcp4j perf: /dev/net/tun is missing");
    }

    // ---- helpers

    private record Measured(JsonNode iperf3, JsonNode ours) {}

    /** mptcp4j's iperf3 server on the testbed's TUN (the Java entry point), one test, against mptcpized iperf3 -c. */
    private Measured iperf3ClientAgainstMptcp4jServer(int port, String... args) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CountDownLatch listening = new CountDownLatch(1);
        CompletableFuture<Throwable> served = new CompletableFuture<>();
        MptcpHost host = MptcpHost.start("iperf3-test", StackConfig.defaults(), new SecureRng(),
                new TunLink(testbed.openTun(true, true), true), List.of(l.mptcp4jAddressA(), l.mptcp4jAddressB()), null, null);
        RealIperf3 client = null;
        try {
            Output output = new Output(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 1, "test");
            Thread.ofVirtual().start(() -> {
                try {
                    new Iperf3Server(new MptcpTransport(host, l.mptcp4jAddressA()), output)
                            .serve(new InetSocketAddress(l.mptcp4jAddressA(), port), true, p -> listening.countDown());
                    served.complete(null);
                } catch (Throwable t) {
                    served.complete(t);
                }
            });
            assertThat(listening.await(10, TimeUnit.SECONDS)).isTrue();
            List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", l.kernelNamespace(), "mptcpize", "run",
                    "iperf3", "-c", l.mptcp4jAddressA().getHostAddress(), "-p", Integer.toString(port), "-J"));
            command.addAll(List.of(args));
            client = RealIperf3.start(command);
            assertThat(client.await(20)).as(client.text()).isZero();
            assertThat(served.get(10, TimeUnit.SECONDS)).isNull();
            return new Measured(client.json(), ControlChannel.JSON.readTree(buf.toByteArray()));
        } finally {
            if (client != null) {
                client.stop();
            }
            host.close(Duration.ofSeconds(1));
        }
    }

    private void awaitKernelListening(int port) throws Exception {
        for (int i = 0; i < 500; i++) {
            if (!Shell.run("ip", "netns", "exec", l.kernelNamespace(), "ss", "-Hltn", "sport = :" + port).isBlank()) {
                return;
            }
            Thread.sleep(10);
        }
        fail("iperf3 -s does not listen on port " + port);
    }

    private static CliRun cli(String... args) {
        return CliRun.of(args);
    }

    private record Child(int code, String err) {}

    /** The CLI in a child JVM started through {@code wrapper} (setpriv, unshare), for what one JVM cannot undo. */
    private static Child child(List<String> wrapper, String... args) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(), "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path err = Files.createTempFile("iperf3-child-", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("the CLI did not finish: " + Files.readString(err));
            }
            return new Child(p.exitValue(), Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static void assertOneLine(CliRun cli, Iperf3Exception.Kind kind, String text) {
        assertThat(cli.code()).as("exit code; stderr: %s", cli.err()).isEqualTo(kind.exitCode());
        assertThat(cli.err().lines().toList()).as("one line, no stack trace").singleElement().asString()
                .startsWith("mptcp4j perf: ").contains(text).doesNotContain("Exception");
    }

    private static void requireRootAndTun() throws Exception {
        boolean capable = Files.exists(Path.of("/dev/net/tun")) && Shell.hasProgram("ip")
                && Files.readString(Path.of("/proc/self/status")).lines().anyMatch(x -> x.matches("Uid:\\s+0\\s.*"));
        if (!capable) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the testbed needs root, /dev/net/tun and ip (CI=true: a missing capability fails the run)");
            }
            assumeTrue(false, "the testbed needs root, /dev/net/tun and ip");
        }
    }
}
