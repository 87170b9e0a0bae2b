package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code tshark} capture on one interface of a namespace, written to a pcapng file, and queries on
 * it with tshark's dissectors (which understand TCP and MPTCP options). Captures only headers
 * ({@code -s 128}) by default so that large transfers stay cheap.
 */
public final class Capture implements AutoCloseable {
    private static final long SETTLE_MILLIS = 700;

    private final Process process;
    private final Path file;
    private boolean stopped;

    private Capture(Process process, Path file) {
        this.process = process;
        this.file = file;
    }

    /** BPF filter for the segments that open, close or reset connections: cheap even during bulk transfers. */
    public static final String CONTROL_SEGMENTS = "tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0";

    /** Starts capturing all TCP on {@code iface} in {@code namespace}; returns once tshark listens. */
    public static Capture start(String namespace, String iface) throws IOException {
        return start(namespace, iface, "tcp");
    }

    /**
     * Starts capturing what the BPF {@code captureFilter} selects; returns once tshark listens. A
     * bulk transfer at Gbit/s can outrun tshark, so filter ({@link #CONTROL_SEGMENTS}) when only the
     * handshake and teardown matter.
     */
    public static Capture start(String namespace, String iface, String captureFilter) throws IOException {
        return start(namespace, iface, captureFilter, HEADERS_SNAPLEN);
    }

    /** Bytes kept of each packet by default: the IPv4 and TCP headers with all options. */
    public static final int HEADERS_SNAPLEN = 128;

    /**
     * {@link #start(String, String, String)} keeping {@code snaplen} bytes of each packet; 0 keeps
     * whole packets, payload included (for {@link MptcpAnalysis} of a short transfer: a few MB).
     */
    public static Capture start(String namespace, String iface, String captureFilter, int snaplen) throws IOException {
        Path file = Files.createTempFile("mptcp4j-capture-", ".pcapng");
        Process p = new ProcessBuilder("ip", "netns", "exec", namespace, "tshark", "-q", "-n", "-i", iface,
                "-s", Integer.toString(snaplen == 0 ? 262144 : snaplen), "-f", captureFilter, "-w", file.toString())
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        // tshark prints "Capturing on '<iface>'" once the capture is live.
        StringBuilder seen = new StringBuilder();
        var in = p.getInputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!seen.toString().contains("Capturing on") && System.nanoTime() < deadline) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("tshark exited: " + seen);
            }
            seen.append((char) c);
        }
        Thread.ofVirtual().start(() -> {
            try {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // tshark ended
            }
        });
        return new Capture(p, file);
    }

    public Path file() {
        return file;
    }

    /** Stops the capture and waits until the file is complete. */
    public void stop() throws IOException {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            // dumpcap hands packets to the file in batches; the last ones of a run would be lost to an
            // immediate SIGTERM. A settle time is not a measurement, so it does not make a test timing-dependent.
            Thread.sleep(SETTLE_MILLIS);
            process.destroy(); // SIGTERM: tshark flushes and closes the file
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /**
     * Runs {@code tshark -r FILE -Y displayFilter -T fields -e f1 -e f2 ...} and returns one row per
     * matching packet, each a list of field values (tab-separated by tshark).
     */
    public List<List<String>> fields(String displayFilter, String... fieldNames) throws IOException {
        stop();
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString(), "-Y", displayFilter, "-T", "fields"));
        for (String f : fieldNames) {
            cmd.add("-e");
            cmd.add(f);
        }
        String out = Shell.runForData(cmd.toArray(String[]::new));
        List<List<String>> rows = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                rows.add(List.of(line.split("\t", -1)));
            }
        }
        return rows;
    }

    /** Number of packets matching a display filter. */
    public int count(String displayFilter) throws IOException {
        return fields(displayFilter, "frame.number").size();
    }

    /**
     * System property naming a directory where {@link #close()} keeps captures instead of deleting
     * them, to look at a failed run in Wireshark ({@code ./mvnw test -Dmptcp4j.keepCaptures=/tmp/caps}).
     */
    public static final String KEEP_PROPERTY = "mptcp4j.keepCaptures";

    @Override
    public void close() throws IOException {
        stop();
        String keep = System.getProperty(KEEP_PROPERTY);
        if (keep != null && !keep.isBlank() && Files.exists(file)) {
            Path dir = Files.createDirectories(Path.of(keep));
            Files.move(file, dir.resolve(file.getFileName()));
            return;
        }
        Files.deleteIfExists(file);
    }
}
