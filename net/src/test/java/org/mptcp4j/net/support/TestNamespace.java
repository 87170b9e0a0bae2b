package org.mptcp4j.net.support;

import java.io.IOException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.mptcp4j.net.testbed.Shell;

/**
 * A network namespace with a name unique to this test run ({@code m4jt-} + random hex), removed on
 * {@link #close()} whether the test passed or not. Loopback is brought up.
 */
public final class TestNamespace implements AutoCloseable {
    private final String name;

    private TestNamespace(String name) {
        this.name = name;
    }

    public static TestNamespace create() throws IOException {
        String name = "m4jt-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Shell.run("ip", "netns", "add", name);
        TestNamespace ns = new TestNamespace(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (IOException | RuntimeException e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** Runs {@code ip -n NAME args...}. */
    public String ip(String... args) throws IOException {
        String[] cmd = new String[args.length + 3];
        cmd[0] = "ip";
        cmd[1] = "-n";
        cmd[2] = name;
        System.arraycopy(args, 0, cmd, 3, args.length);
        return Shell.run(cmd);
    }

    @Override
    public void close() throws IOException {
        Shell.run("ip", "netns", "del", name);
    }
}
