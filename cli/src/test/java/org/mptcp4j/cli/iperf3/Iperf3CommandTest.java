package org.mptcp4j.cli.iperf3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.mptcp4j.cli.Main;

/** {@code ./mptcp4j perf} with iperf3's options, where it fails before any network: one line, an exit code. */
class Iperf3CommandTest {

    @Test
    void noSuchTestbed_saysHowToBringOneUp_exit9() {
        Out o = run("perf", "--testbed", "nosuch9", "-s");
        assertThat(o.code()).isEqualTo(Iperf3Exception.Kind.NO_TESTBED.exitCode()).isEqualTo(9);
        assertThat(o.err().lines()).singleElement().asString()
                .isEqualTo("mptcp4j perf: no testbed nosuch9: './mptcp4j testbed up --id nosuch9' brings one up (as root)");
    }

    @Test
    void reverseAndBidir_usageError_exit2() {
        Out o = run("perf", "--testbed", "nosuch9", "-c", "198.18.1.2", "-R", "--bidir");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).singleElement().asString().contains("-R and --bidir exclude each other");
    }

    @Test
    void serverAndClientAtOnce_usageError_exit2() {
        Out o = run("perf", "-s", "-c", "198.18.1.2");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).singleElement().asString().isEqualTo("mptcp4j perf: give either -s (iperf3 server) or -c HOST (iperf3 client)");
    }

    @Test
    void badByteCount_usageError_exit2() {
        Out o = run("perf", "--testbed", "nosuch9", "-c", "198.18.1.2", "-n", "lots");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).singleElement().asString().contains("not a size: 'lots'");
    }

    private record Out(int code, String out, String err) {}

    private static synchronized Out run(String... args) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            return new Out(Main.run(args), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
