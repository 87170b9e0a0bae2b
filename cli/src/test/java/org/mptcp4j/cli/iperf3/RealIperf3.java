package org.mptcp4j.cli.iperf3;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The iperf3 binary of the machine (Debian package iperf3), run as a child process. */
final class RealIperf3 {
    private final Process process;
    private final Path output;

    private RealIperf3(Process process, Path output) {
        this.process = process;
        this.output = output;
    }

    /** Skips the test without iperf3, except under CI=true, where .ci/run installs it and its absence fails. */
    static void require(String... programs) {
        for (String program : programs) {
            boolean found = Files.isExecutable(Path.of("/usr/bin", program)) || Files.isExecutable(Path.of("/usr/sbin", program));
            if (!found) {
                if ("true".equals(System.getenv("CI"))) {
                    fail("this test needs " + program + " (CI=true: a missing program fails the run)");
                }
                assumeTrue(false, "this test needs " + program);
            }
        }
    }

    /** Starts {@code command} (e.g. iperf3 -c ...), its stdout and stderr going to a file. */
    static RealIperf3 start(List<String> command) throws IOException {
        Path out = Files.createTempFile("iperf3-", ".out");
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        return new RealIperf3(p, out);
    }

    /** Waits for the process (at most {@code seconds}) and returns its exit code, or fails the test. */
    int await(int seconds) throws Exception {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("iperf3 did not finish within " + seconds + " s: " + text());
        }
        return process.exitValue();
    }

    String text() throws IOException {
        return Files.readString(output, StandardCharsets.UTF_8);
    }

    /** What -J printed. */
    JsonNode json() throws IOException {
        return ControlChannel.JSON.readTree(text());
    }

    void stop() throws IOException {
        process.destroy();
        Files.deleteIfExists(output);
    }

    /**
     * Waits until a socket listens on {@code port} in this network namespace, read from
     * /proc/net/tcp*: a probing connection would count as a client to iperf3 -s -1.
     */
    static void awaitListening(int port) throws Exception {
        String hexPort = String.format(":%04X ", port);
        for (int i = 0; i < 1000; i++) {
            for (String table : new String[] {"/proc/net/tcp", "/proc/net/tcp6"}) {
                for (String line : Files.readAllLines(Path.of(table))) {
                    String[] f = line.strip().split("\\s+");
                    if (f.length > 3 && (f[1] + " ").endsWith(hexPort) && f[3].equals("0A")) {
                        return;
                    }
                }
            }
            Thread.sleep(10);
        }
        fail("nothing listens on port " + port);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
