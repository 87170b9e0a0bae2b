package org.mptcp4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** {@code testbed up}, {@code status} and {@code down} for real, with an id unique to this run. */
class TestbedCommandTest {
    @Test
    void upStatusDown_createsDescribesAndRemovesTheNamespaces() throws Exception {
        boolean capable = Files.isWritable(Path.of("/var/run")) && Files.exists(Path.of("/dev/net/tun"))
                && Files.readString(Path.of("/proc/self/status")).lines().anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
        if (!capable) {
            if ("true".equals(System.getenv("CI"))) {
                fail("the testbed needs root and /dev/net/tun (CI=true: a missing capability fails the run)");
            }
            assumeTrue(false, "the testbed needs root and /dev/net/tun");
        }
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
        try {
            Out up = run("testbed", "up", "--id", id, "--rate-a", "1gbit", "--rate-b", "50mbit", "--qdisc", "htb",
                    "--loss-b", "0.5", "--no-offload");
            assertThat(up.code).isZero();
            assertThat(up.text).contains("testbed " + id + " is up", "mptcp4j-" + id, "kernel-" + id);
            assertThat(Path.of("/var/run/netns/kernel-" + id)).exists();

            Out status = run("testbed", "status", "--id", id);
            assertThat(status.code).isZero();
            assertThat(status.text).contains("(up)", "path A 1gbit", "path B 50mbit", "htb", "subflows 8",
                    "loss path A 0 %, path B 0.5 %", "veth offload off", "pb-m: tso off, gso off, gro off",
                    "iifname \"pb-m\"", "numgen random mod 1000000 < 5000");
        } finally {
            Out down = run("testbed", "down", "--id", id);
            assertThat(down.code).isZero();
        }
        assertThat(Path.of("/var/run/netns/mptcp4j-" + id)).doesNotExist();
        assertThat(Path.of("/var/run/netns/kernel-" + id)).doesNotExist();
        assertThat(run("testbed", "status", "--id", id).text).contains("no testbed " + id);
    }

    private record Out(int code, String text) {}

    private static Out run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            return new Out(Main.run(args), buf.toString());
        } finally {
            System.setOut(saved);
        }
    }
}
