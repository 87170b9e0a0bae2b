package org.mptcp4j.cli.iperf3;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code ./mptcp4j perf} with iperf3's options, where it fails before any network: one line, an exit code. */
class Iperf3CommandTest {

    @Test
    void noSuchTestbed_saysHowToBringOneUp_exit9() {
        CliRun o = run("perf", "--testbed", "nosuch9", "-s");
        assertThat(o.code()).isEqualTo(Iperf3Exception.Kind.NO_TESTBED.exitCode()).isEqualTo(9);
        assertThat(o.err().lines()).singleElement().asString()
                .isEqualTo("mptcp4j perf: no testbed nosuch9: './mptcp4j testbed up --id nosuch9' brings one up (as root)");
    }

    @Test
    void reverseAndBidir_usageError_exit2() {
        CliRun o = run("perf", "--testbed", "nosuch9", "-c", "198.18.1.2", "-R", "--bidir");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).singleElement().asString().contains("-R and --bidir exclude each other");
    }

    @Test
    void serverAndClientAtOnce_usageError_exit2() {
        CliRun o = run("perf", "-s", "-c", "198.18.1.2");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).singleElement().asString().isEqualTo("mptcp4j perf: give either -s (iperf3 server) or -c HOST (iperf3 client)");
    }

    @Test
    void badByteCount_usageError_exit2() {
        CliRun o = run("perf", "--testbed", "nosuch9", "-c", "198.18.1.2", "-n", "lots");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err().lines()).singleElement().asString().contains("not a size: 'lots'");
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }
}
