package org.mptcp4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void demo_transfersOverBothSimulatedPaths_intact() {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code = Main.run("demo", "--megabytes", "2", "--seed", "3");
        } finally {
            System.setOut(saved);
        }
        assertThat(code).isZero();
        String out = buf.toString();
        assertThat(out).contains("mptcp4j 0.1.0");
        assertThat(out.lines().filter(l -> l.matches("^[AB] .*yes$"))).hasSize(2);
    }
}
