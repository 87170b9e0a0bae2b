package org.mptcp4j.cli.iperf3;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * mptcp4j's iperf3 client and server against the real iperf3, over the kernel's TCP on loopback
 * (no root): the protocol alone, every state and message of a test in each direction, and both ends
 * agreeing on the bytes. The same code over mptcp4j's MPTCP runs in {@code Iperf3TestbedTest}.
 */
class Iperf3LoopbackTest {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @BeforeAll
    static void iperf3() {
        RealIperf3.require("iperf3");
    }

    @Test
    void iperf3Client_ourServer_forward_bothEndsCountTheSameBytes() throws Exception {
        Ends e = iperf3ClientAgainstOurServer("-t", "1");
        JsonNode theirs = e.iperf3().path("end");
        JsonNode ours = e.ours().path("end");
        assertThat(theirs.path("sum_sent").path("bytes").asLong()).isPositive();
        assertThat(ours.path("sum_received").path("bytes").asLong())
                .as("what our server received is what iperf3 reports as received")
                .isEqualTo(theirs.path("sum_received").path("bytes").asLong())
                .isPositive()
                .isLessThanOrEqualTo(theirs.path("sum_sent").path("bytes").asLong());
        assertThat(ours.path("streams").get(0).path("receiver").path("sender").asBoolean()).isFalse();
        assertThat(e.ours().path("start").path("test_start").path("duration").asInt()).isEqualTo(1);
    }

    @Test
    void iperf3Client_ourServer_reverse_weSendWhatItReceives() throws Exception {
        Ends e = iperf3ClientAgainstOurServer("-t", "1", "-R");
        JsonNode theirs = e.iperf3().path("end");
        JsonNode ours = e.ours().path("end");
        assertThat(ours.path("sum_sent").path("bytes").asLong())
                .as("iperf3's sender figure is ours").isEqualTo(theirs.path("sum_sent").path("bytes").asLong()).isPositive();
        assertThat(theirs.path("sum_received").path("bytes").asLong()).isPositive();
        assertThat(e.ours().path("start").path("test_start").path("reverse").asInt()).isEqualTo(1);
    }

    @Test
    void iperf3Client_ourServer_bidirAndParallel_fourStreamsEachWayAccounted() throws Exception {
        Ends e = iperf3ClientAgainstOurServer("-t", "1", "--bidir", "-P", "2");
        JsonNode theirs = e.iperf3().path("end");
        assertThat(theirs.path("streams")).hasSize(4);
        assertThat(e.ours().path("end").path("streams")).hasSize(4);
        assertThat(theirs.path("sum_received").path("bytes").asLong())
                .isEqualTo(e.ours().path("end").path("sum_received_bidir_reverse").path("bytes").asLong()).isPositive();
        assertThat(theirs.path("sum_received_bidir_reverse").path("bytes").asLong()).isPositive();
        assertThat(theirs.path("sum_sent_bidir_reverse").path("bytes").asLong())
                .isEqualTo(e.ours().path("end").path("sum_sent").path("bytes").asLong());
    }

    @Test
    void ourClient_iperf3Server_bytes_forward_andTextLinesInIperf3Format() throws Exception {
        int port = RealIperf3.freePort();
        RealIperf3 server = RealIperf3.start(List.of("iperf3", "-s", "-1", "-J", "-p", Integer.toString(port)));
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            TestSettings settings = new TestSettings(0, 20L << 20, 0, 1, false, false, TestSettings.DEFAULT_TCP_BLOCK_BYTES, 0, "");
            runClientWhenListening(port, buf, settings, false);
            String text = buf.toString(StandardCharsets.UTF_8);
            assertThat(server.await(10)).isZero();
            JsonNode theirs = server.json().path("end");
            assertThat(theirs.path("sum_received").path("bytes").asLong()).isPositive();
            assertThat(text).contains("Connecting to host " + LOOPBACK.getHostAddress() + ", port " + port,
                    "[ ID] Interval           Transfer     Bitrate", Report.SEPARATOR, "20.0 MBytes", "iperf Done.");
            assertThat(text.lines().filter(l -> l.endsWith("sender"))).singleElement().asString()
                    .matches("\\[  1\\]   0\\.00-[ 0-9.]{6} sec  20\\.0 MBytes .*bits/sec +sender");
            assertThat(text.lines().filter(l -> l.endsWith("receiver"))).singleElement().asString()
                    .contains(org.mptcp4j.cli.iperf3.Units.bytes(theirs.path("sum_received").path("bytes").asLong()));
        } finally {
            server.stop();
        }
    }

    @Test
    void ourClient_iperf3Server_reverseJson_ourReceiverFigureMatchesItsSender() throws Exception {
        int port = RealIperf3.freePort();
        RealIperf3 server = RealIperf3.start(List.of("iperf3", "-s", "-1", "-J", "-p", Integer.toString(port)));
        try {
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            TestSettings settings = new TestSettings(1, 0, 0, 1, true, false, TestSettings.DEFAULT_TCP_BLOCK_BYTES, 0, "");
            runClientWhenListening(port, buf, settings, true);
            assertThat(server.await(10)).isZero();
            JsonNode ours = ControlChannel.JSON.readTree(buf.toByteArray()).path("end");
            JsonNode theirs = server.json().path("end");
            assertThat(ours.path("sum_sent").path("bytes").asLong())
                    .isEqualTo(theirs.path("sum_sent").path("bytes").asLong()).isPositive();
            assertThat(ours.path("sum_received").path("bytes").asLong()).isPositive();
            assertThat(ours.path("sum_sent").path("sender").asBoolean()).isFalse();
        } finally {
            server.stop();
        }
    }

    @Test
    void iperf3Client_ourServer_udpAsked_refusedWithIperf3sOwnMessage() throws Exception {
        int port = RealIperf3.freePort();
        CompletableFuture<Throwable> served = serveOnce(port, new ByteArrayOutputStream());
        RealIperf3 client = startWhenListening(List.of("iperf3", "-c", LOOPBACK.getHostAddress(), "-p", Integer.toString(port),
                "-u", "-t", "1"));
        try {
            assertThat(client.await(10)).isNotZero();
            assertThat(client.text()).contains("not implemented yet");
            assertThat(served.get(10, TimeUnit.SECONDS)).isInstanceOf(Iperf3Exception.class)
                    .hasMessageContaining("UDP or SCTP");
        } finally {
            client.stop();
        }
    }

    @Test
    void ourServer_secondClientDuringATest_isBusy_thenTheNextTestIsServed() throws Exception {
        int port = RealIperf3.freePort();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread server = Thread.ofVirtual().start(() -> {
            try {
                new Iperf3Server(new KernelTcpTransport(), new Output(new PrintStream(buf, true, StandardCharsets.UTF_8), false, 1, "test"))
                        .serve(new InetSocketAddress(LOOPBACK, port), false);
            } catch (java.io.IOException stopped) {
                // the interrupt below closes the listener
            }
        });
        try {
            List<String> client = List.of("iperf3", "-c", LOOPBACK.getHostAddress(), "-p", Integer.toString(port), "-t", "2");
            RealIperf3 first = startWhenListening(client);
            awaitText(buf, "[ ID] Interval");
            RealIperf3 second = RealIperf3.start(client);
            assertThat(second.await(10)).isNotZero();
            assertThat(second.text()).contains("the server is busy running a test");
            assertThat(first.await(10)).as(first.text()).isZero();
            RealIperf3 third = RealIperf3.start(client);
            assertThat(third.await(10)).as(third.text()).isZero();
            // Two tests served (the refused client is no test), each ending with the server's receiver line.
            awaitText(buf, "Server listening on " + port + " (test #3)");
            assertThat(buf.toString(StandardCharsets.UTF_8).lines().filter(l -> l.endsWith("receiver"))).hasSize(2);
            List.of(first, second, third).forEach(r -> {
                try {
                    r.stop();
                } catch (java.io.IOException ignored) {
                    // a temporary file
                }
            });
        } finally {
            server.interrupt();
        }
    }

    private static void awaitText(ByteArrayOutputStream buf, String text) throws InterruptedException {
        for (int i = 0; i < 500 && !buf.toString(StandardCharsets.UTF_8).contains(text); i++) {
            Thread.sleep(10);
        }
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains(text);
    }

    private record Ends(JsonNode iperf3, JsonNode ours) {}

    private Ends iperf3ClientAgainstOurServer(String... args) throws Exception {
        int port = RealIperf3.freePort();
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CompletableFuture<Throwable> served = serveOnce(port, buf);
        List<String> command = new ArrayList<>(List.of("iperf3", "-c", LOOPBACK.getHostAddress(), "-p", Integer.toString(port), "-J"));
        command.addAll(List.of(args));
        RealIperf3 client = startWhenListening(command);
        try {
            assertThat(client.await(15)).as(client.text()).isZero();
            assertThat(served.get(10, TimeUnit.SECONDS)).isNull();
            return new Ends(client.json(), ControlChannel.JSON.readTree(buf.toByteArray()));
        } finally {
            client.stop();
        }
    }

    /** Our server, one test, -J into {@code buf}; completes with what it threw, or null. */
    private static CompletableFuture<Throwable> serveOnce(int port, ByteArrayOutputStream buf) {
        CompletableFuture<Throwable> done = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                new Iperf3Server(new KernelTcpTransport(), new Output(new PrintStream(buf, true, StandardCharsets.UTF_8), true, 1, "test"))
                        .serve(new InetSocketAddress(LOOPBACK, port), true);
                done.complete(null);
            } catch (Throwable t) {
                done.complete(t);
            }
        });
        return done;
    }

    /** Starts the iperf3 client once our server accepts connections on the port. */
    private static RealIperf3 startWhenListening(List<String> command) throws Exception {
        int port = Integer.parseInt(command.get(command.indexOf("-p") + 1));
        awaitListening(port);
        return RealIperf3.start(command);
    }

    private static void runClientWhenListening(int port, ByteArrayOutputStream buf, TestSettings settings, boolean json)
            throws Exception {
        awaitListening(port);
        new Iperf3Client(new KernelTcpTransport(), new Output(new PrintStream(buf, true, StandardCharsets.UTF_8), json, 1, "test"))
                .run(new InetSocketAddress(LOOPBACK, port), settings, 5_000);
    }

    /** Polls until something listens on the port (iperf3 or our server start asynchronously). */
    private static void awaitListening(int port) throws Exception {
        RealIperf3.awaitListening(port);
    }
}
