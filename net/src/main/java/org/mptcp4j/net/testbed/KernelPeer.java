package org.mptcp4j.net.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Linux-kernel TCP or MPTCP endpoint in a network namespace: the bundled {@code kernel_peer.py}
 * (python3 sockets, {@code IPPROTO_MPTCP = 262} with {@code --mptcp}) run with
 * {@code ip netns exec}. It sends a seeded byte pattern and reports counts and SHA-256 digests as one
 * JSON line, which {@link #awaitResult} returns as a map.
 */
public final class KernelPeer implements AutoCloseable {
    private static final Pattern FIELD = Pattern.compile("\"([a-z_0-9]+)\":\\s*(\"[^\"]*\"|[-0-9.e+]+)");
    private static volatile Path script;
    /**
     * The kernel peer's congestion control: {@code $MPTCP4J_KERNEL_CC} if set ("default" keeps the
     * host's), else Linux's own default CUBIC, as mptcp4j's; set per socket so a host whose
     * default is BBR still measures CUBIC.
     */
    public static String congestionControl() {
        String cc = System.getenv("MPTCP4J_KERNEL_CC");
        return cc == null || cc.isBlank() ? "cubic" : cc;
    }

    private final Process process;
    private final BufferedReader out;
    private final List<String> lines = new ArrayList<>();

    private KernelPeer(Process process) {
        this.process = process;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts {@code kernel_peer.py MODE ARGS...} inside {@code namespace} (null: the current one). */
    public static KernelPeer start(String namespace, String mode, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (namespace != null) {
            cmd.addAll(List.of("ip", "netns", "exec", namespace));
        }
        cmd.addAll(List.of("python3", "-u", script().toString(), mode));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        // Standard input stays open: a peer started with --hold waits on it (release()); others never read it.
        return new KernelPeer(p);
    }

    /**
     * For a peer started with {@code --duplex --hold --expect N}: blocks until it has sent everything
     * and received N bytes, the connection still open (its subflows visible to {@code ss}).
     */
    public void awaitHolding() throws IOException {
        String line = out.readLine();
        if (!"HOLDING".equals(line)) {
            throw new IOException("kernel peer did not reach HOLDING: " + line);
        }
    }

    /** Lets a holding peer shut down its side and finish. */
    public void release() throws IOException {
        var in = process.getOutputStream();
        in.write('\n');
        in.flush();
    }

    /** For a server: blocks until it listens and returns its port. */
    public int awaitListening() throws IOException {
        String line = out.readLine();
        if (line == null || !line.startsWith("LISTENING ")) {
            throw new IOException("kernel peer did not start listening: " + line);
        }
        return Integer.parseInt(line.substring("LISTENING ".length()).strip());
    }

    /** Waits for the peer to finish and returns the fields of its JSON result line. */
    public Map<String, String> awaitResult(long timeoutSeconds) throws IOException {
        try {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("kernel peer did not finish in " + timeoutSeconds + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String line;
        while ((line = out.readLine()) != null) {
            lines.add(line);
        }
        if (lines.isEmpty() || !lines.getLast().startsWith("{")) {
            throw new IOException("kernel peer exited with " + process.exitValue() + " and no result: " + lines);
        }
        Map<String, String> result = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(lines.getLast());
        while (m.find()) {
            String v = m.group(2);
            result.put(m.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
        }
        return result;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private static Path script() throws IOException {
        Path s = script;
        if (s != null && Files.exists(s)) {
            return s;
        }
        synchronized (KernelPeer.class) {
            try (InputStream in = KernelPeer.class.getResourceAsStream("/org/mptcp4j/net/kernel_peer.py")) {
                if (in == null) {
                    throw new IOException("kernel_peer.py is missing from the class path");
                }
                s = Files.createTempFile("mptcp4j-kernel-peer", ".py",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                Files.write(s, in.readAllBytes());
                s.toFile().deleteOnExit();
                script = s;
                return s;
            }
        }
    }
}
