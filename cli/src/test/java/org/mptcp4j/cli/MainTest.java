package org.mptcp4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void demo_printsVersionAndExitsZero() {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        int code;
        try {
            code = Main.run("demo");
        } finally {
            System.setOut(saved);
        }
        assertThat(code).isZero();
        assertThat(buf.toString()).contains("mptcp4j 0.1.0");
    }
}
