package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the administration tools the testbed needs ({@code ip}, {@code tc}, {@code nft}) and turns a
 * failure into an exception that shows the command and what it printed.
 */
public final class Shell {
    private Shell() {}

    private static final long TIMEOUT_SECONDS = 30;

    /** The outcome of a finished command. */
    public record Result(List<String> command, int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs the command; an exit code other than 0 throws with the command's output. */
    public static String run(String... command) throws IOException {
        Result r = tryRun(command);
        if (!r.ok()) {
            throw new IOException("`" + String.join(" ", command) + "` exited with " + r.exitCode() + ": " + r.output().strip());
        }
        return r.output();
    }

    /** Runs the command and returns what happened, whatever its exit code. */
    public static Result tryRun(String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("`" + String.join(" ", command) + "` did not finish in " + TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        }
        return new Result(List.of(command), p.exitValue(), out);
    }

    /** True when {@code program} is found on the PATH. */
    public static boolean hasProgram(String program) {
        String path = System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }
}
