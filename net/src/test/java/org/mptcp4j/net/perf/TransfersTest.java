package org.mptcp4j.net.perf;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The seeded stream of {@link Transfers}: the same for a seed, and no 64 KB block like another. */
class TransfersTest {
    private static final int BLOCK = 1 << 16;

    @Test
    void sameSeed_sameBytesAndDigest() throws Exception {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();

        Transfers.Result ra = Transfers.send(a, 3 * BLOCK + 100, 1);
        Transfers.Result rb = Transfers.send(b, 3 * BLOCK + 100, 1);

        assertThat(a.toByteArray()).isEqualTo(b.toByteArray()).hasSize(3 * BLOCK + 100);
        assertThat(ra.sha256()).isEqualTo(rb.sha256())
                .isEqualTo(Transfers.receive(new ByteArrayInputStream(a.toByteArray())).sha256());
    }

    @Test
    void everyBlock_differsFromTheOthers() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Transfers.send(out, 4 * BLOCK, 1);
        byte[] s = out.toByteArray();

        // A block delivered in another block's place changes the stream, and so its SHA-256.
        for (int i = 0; i < 4; i++) {
            for (int j = i + 1; j < 4; j++) {
                assertThat(Arrays.equals(s, i * BLOCK, (i + 1) * BLOCK, s, j * BLOCK, (j + 1) * BLOCK))
                        .as("blocks %d and %d", i, j).isFalse();
            }
        }
    }
}
