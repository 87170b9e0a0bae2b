package org.mptcp4j.net.support;

import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.mptcp4j.net.testbed.Shell;

/**
 * Checks for what the real-network tests need (root, {@code /dev/net/tun}, {@code ip netns}). Where
 * something is missing the test is skipped, except under {@code CI=true}, where it fails: CI must not
 * pass by skipping the interop tests.
 */
public final class NetCapabilities {
    private NetCapabilities() {}

    public static void requireRootTunAndNamespaces() {
        require(isRoot(), "root (uid 0)");
        require(Files.exists(Path.of("/dev/net/tun")), "/dev/net/tun");
        require(Shell.hasProgram("ip"), "the ip tool (iproute2)");
    }

    public static void requireProgram(String program) {
        require(Shell.hasProgram(program), "the program " + program);
    }

    private static void require(boolean present, String what) {
        if (present) {
            return;
        }
        String message = "this test needs " + what;
        if ("true".equals(System.getenv("CI"))) {
            fail(message + " (CI=true: a missing capability fails the run)");
        }
        assumeTrue(false, message);
    }

    private static boolean isRoot() {
        try {
            return Files.readString(Path.of("/proc/self/status")).lines()
                    .filter(l -> l.startsWith("Uid:"))
                    .anyMatch(l -> l.split("\\s+")[1].equals("0"));
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
