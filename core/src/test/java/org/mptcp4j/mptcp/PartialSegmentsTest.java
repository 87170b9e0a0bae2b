package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PartialSegmentsTest {
    private static final int MSS = 1420;

    @Test
    void aMappingEndingShort_costsTheRestOfASegment_untilTheDataAckPassesItsEnd() {
        PartialSegments p = new PartialSegments();
        p.add(1_000 + 3 * MSS, 0); // full segments only: nothing charged
        p.add(1_000 + 3 * MSS + 216, MSS - 216);

        assertThat(p.bytes()).isEqualTo(MSS - 216);
        p.acknowledge(1_000 + 3 * MSS + 215);
        assertThat(p.bytes()).as("one byte short of the mapping's end").isEqualTo(MSS - 216);
        p.acknowledge(1_000 + 3 * MSS + 216);
        assertThat(p.bytes()).isZero();
    }

    @Test
    void manyMappings_acrossTheWrapOfTheDataSequenceSpace_releaseInOrder() {
        PartialSegments p = new PartialSegments();
        long start = -5L * MSS; // DSNs wrap through 0 (RFC 8684's 64-bit space)
        long end = start;
        for (int i = 0; i < 20; i++) {
            end += MSS + 100;
            p.add(end, MSS - 100);
        }
        assertThat(p.bytes()).isEqualTo(20L * (MSS - 100));

        p.acknowledge(start + 10L * (MSS + 100));
        assertThat(p.bytes()).isEqualTo(10L * (MSS - 100));
        p.acknowledge(end);
        assertThat(p.bytes()).isZero();
        p.add(end + 1, 1);
        assertThat(p.bytes()).as("reused after emptying").isEqualTo(1);
    }
}
