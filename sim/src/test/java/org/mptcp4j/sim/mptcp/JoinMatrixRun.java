package org.mptcp4j.sim.mptcp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.sim.PcapTap;
import org.mptcp4j.sim.topo.MultipathTestbed;

/**
 * What {@link JoinMatrixSimTest} keeps beside its cases: the coverage table's rows, each case's
 * seed for its failure message, and the case's capture when {@code -Dmptcp4j.joinMatrixPcap=true}.
 */
final class JoinMatrixRun {
    private static final Path PCAP_DIR = Path.of("target", "join-matrix-sim");
    private static final List<String> rows = new ArrayList<>();
    private String name;
    private PcapTap tap;

    interface Body {
        void run(long seed);
    }

    void begin(String caseName) {
        name = caseName;
    }

    void end() {
        if (tap != null) {
            tap.close();
            tap = null;
        }
    }

    private Path pcap() {
        return PCAP_DIR.resolve(name + ".pcap");
    }

    /**
     * With {@code -Dmptcp4j.joinMatrixPcap=true}, captures both directions of every path of
     * {@code s} as the senders put them on the wire (before loss) to {@code target/join-matrix-sim/<case>.pcap}.
     */
    MptcpScenario capture(MptcpScenario s) {
        if (Boolean.getBoolean("mptcp4j.joinMatrixPcap")) {
            try {
                Files.createDirectories(PCAP_DIR);
                tap = PcapTap.open(Files.newOutputStream(pcap()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (MultipathTestbed.Path p : s.bed.paths()) {
                tap.watch(p.link().aToB(), PcapTap.Point.TRANSMIT).watch(p.link().bToA(), PcapTap.Point.TRANSMIT);
            }
        }
        return s;
    }

    /**
     * Runs one case with its seed and records its row, passed or failed; a failure names the seed.
     * {@code -Dmptcp4j.joinMatrixSeedOffset=N} adds N to every case's seed, to try others.
     */
    void row(String group, String scriptCase, String setup, long caseSeed, Body body) {
        long seed = caseSeed + Long.getLong("mptcp4j.joinMatrixSeedOffset", 0);
        try {
            body.run(seed);
            rows.add(String.format("| %s | %s | %s | pass |", group, scriptCase, setup));
        } catch (RuntimeException | AssertionError e) {
            rows.add(String.format("| %s | %s | %s | **fail** (seed %d) |", group, scriptCase, setup, seed));
            throw new AssertionError(String.format("%s / %s failed with seed %d (-Dmptcp4j.joinMatrixPcap=true"
                    + " writes %s): %s", group, scriptCase, seed, pcap(), e.getMessage()), e);
        }
    }

    /** Groups and cases of mptcp_join.sh not run here, and why. */
    private static final List<String> NOT_COVERED = List.of(
            "| ipv6, mixed | the rest | not run here yet: \"remove subflow and signal IPv6\", the fullmesh"
                    + " mixed cases | not covered |",
            "| v4mapped | the rest | an IPv4-mapped socket is the kernel's; mptcp4j's own mapped endpoints are"
                    + " above | not covered |",
            "| userspace, endpoint | all | the user-space path manager's commands are in `UserspacePathManagerTest`;"
                    + " the script's cases are not run here | not covered |",
            "| bind, syncookies, implicit | all | not run here | not covered |");

    private static final String NOTES = """

            Where the simulator stands in for the kernel differently:
            - The counts are exact for each case's seed. The script expects them on lossless links; under
              random loss a lost signalling packet (an ADD_ADDR, sent again only after 120 s; an echo
              or a firewall's RST, sent once), or a join whose lost SYN is sent again after the peer
              half-closed, changes them, on Linux too; and
              in "Infinite map", a data-level retransmission before the altered segment rules the
              infinite mapping out (Linux's `__mptcp_retrans` clears `allow_infinite_fallback`, as
              mptcp4j does), so the subflow is reset instead. `-Dmptcp4j.joinMatrixSeedOffset=N` runs
              every case with its seed plus N; a sweep of 10 offsets (270 runs) failed only in these ways.

            What it found, both now as Linux does it:
            - A RST that resets a subflow while some of its sender's segments are lost arrives beyond
              RCV.NXT, at the right edge of the receiver's highest SACK block. Linux takes it there;
              mptcp4j answered with a challenge ACK, and the MP_TCPRST and MP_FAIL it carried were lost
              (the "MP_FAIL MP_RST" case under loss; `TcpInput`).
            - An abort's RST carried MP_FASTCLOSE alone; Linux puts MP_TCPRST beside it, and the
              fastclose cases count it (`chk_rst_nr 1 1`; `Subflow.writeResetOptions`).
            """;

    /** Writes the table to {@code target/join-matrix-sim.md} and, when asked, to {@code docs/JOIN_MATRIX_SIM.md}. */
    static void writeTable() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("# mptcp_join.sh cases in the simulator\n\n");
        md.append("Written by `JoinMatrixSimTest` (module `sim`) from its last run; regenerate with\n");
        md.append("`./mvnw -pl sim -am test -Dtest=JoinMatrixSimTest -Dsurefire.failIfNoSpecifiedTests=false"
                + " -Dmptcp4j.joinMatrixDoc=true`\n");
        md.append("(`-Dmptcp4j.joinMatrixPcap=true` also writes each case's capture to"
                + " `sim/target/join-matrix-sim/`).\n");
        md.append("The cases of [JOIN_MATRIX.md](JOIN_MATRIX.md), which runs them against the Linux kernel, with"
                + " mptcp4j at both\n");
        md.append("ends of a simulated two-path network (20 Mbit/s paths of 10 and 20 ms one way, 0.5 % random loss"
                + " both ways,\n");
        md.append("1500-byte MTU), no kernel needed: where the kernel was one end, mptcp4j with the same settings"
                + " is (the kernel's\n");
        md.append("limits there are 8 8). Each case moves 2 MB each way at once (the fastclose cases until the"
                + " abort, the\n");
        md.append("infinite map 4 MiB), checks SHA-256 both ways, and asserts on both ends the counters the script's"
                + " checks\n");
        md.append("read; one fixed seed per case, named when it fails. All of them take a few seconds.\n\n");
        md.append("| group | mptcp_join.sh case | set-up | result |\n| --- | --- | --- | --- |\n");
        rows.stream().sorted().forEach(r -> md.append(r).append('\n'));
        NOT_COVERED.forEach(r -> md.append(r).append('\n'));
        md.append(NOTES);
        Path target = Path.of("target", "join-matrix-sim.md");
        Files.createDirectories(target.getParent());
        Files.writeString(target, md, StandardCharsets.UTF_8);
        if (Boolean.getBoolean("mptcp4j.joinMatrixDoc")) {
            Files.writeString(Path.of("..", "docs", "JOIN_MATRIX_SIM.md"), md, StandardCharsets.UTF_8);
        }
    }
}
