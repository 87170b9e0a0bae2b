package org.mptcp4j.tcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Rng;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.wire.TcpOption.SackBlock;

/**
 * Reassembly, out-of-order ranges bounded by bytes only, D-SACK generation (RFC 2883 section 4) and
 * the choice of SACK blocks (RFC 2018 section 4).
 */
class ReceiveBufferTest {

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    private static ByteBuffer zeros(int n) {
        return ByteBuffer.allocate(n);
    }

    private static SackBlock block(int left, int right) {
        return new SackBlock(left, right);
    }

    @Test
    void outOfOrderRanges_mergeAndAdvanceAcrossTheWrap() {
        ReceiveBuffer r = new ReceiveBuffer(100);
        r.reset(-5); // crosses 2^32
        assertThat(r.accept(5, bytes("fff"))).isZero();
        assertThat(r.accept(-2, bytes("bb"))).isZero();
        assertThat(r.sackBlocks(4)).containsExactly(block(-2, 0), block(5, 8));
        assertThat(r.accept(0, bytes("cc"))).isZero(); // adjacent: merges with [-2, 0)
        assertThat(r.outOfOrderRanges()).isEqualTo(2);
        assertThat(r.outOfOrderBytes()).isEqualTo(7);
        r.checkInvariants();
        assertThat(r.accept(-5, bytes("aaa"))).isEqualTo(7);
        assertThat(r.accept(2, bytes("eee"))).isEqualTo(6);
        ByteBuffer dst = ByteBuffer.allocate(20);
        assertThat(r.read(dst)).isEqualTo(13);
        assertThat(new String(dst.array(), 0, 13)).isEqualTo("aaabbcceeefff");
        assertThat(r.hasOutOfOrder()).isFalse();
        assertThat(r.outOfOrderBytes()).isZero();
        r.checkInvariants();
    }

    @Test
    void segmentSpanningSeveralRanges_mergesThemIntoOne() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(10, zeros(10)); // [10, 20)
        r.accept(30, zeros(10)); // [30, 40)
        r.accept(50, zeros(10)); // [50, 60)
        r.accept(70, zeros(10)); // [70, 80)
        r.accept(15, zeros(45)); // [15, 60): swallows [30, 40), overlaps both ends
        assertThat(r.outOfOrderRanges()).isEqualTo(2);
        assertThat(r.outOfOrderBytes()).isEqualTo(50 + 10);
        r.accept(60, zeros(10)); // [60, 70): fills the gap to [70, 80) exactly
        assertThat(r.outOfOrderRanges()).isEqualTo(1);
        assertThat(r.outOfOrderBytes()).isEqualTo(70);
        r.checkInvariants();
        assertThat(r.accept(0, zeros(10))).isEqualTo(80);
        assertThat(r.hasOutOfOrder()).isFalse();
    }

    @Test
    void moreHolesThanTheOldLimitOf32_everySegmentIsKept() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        for (int i = 0; i < 100; i++) {
            assertThat(r.accept(2 + 3 * i, bytes("x"))).isZero();
        }
        assertThat(r.outOfOrderRanges()).isEqualTo(100);
        assertThat(r.outOfOrderBytes()).isEqualTo(100);
        r.checkInvariants();
    }

    @Test
    void tenThousandAlternateByteHoles_heldThenFilledFromTheTop() {
        int n = 10_000;
        ReceiveBuffer r = new ReceiveBuffer(2 * n);
        r.reset(Integer.MAX_VALUE - n); // the sequence space wraps (signed) in the middle
        int base = Integer.MAX_VALUE - n;
        byte[] stream = new byte[2 * n];
        for (int i = 0; i < stream.length; i++) {
            stream[i] = (byte) (i * 31 + 7);
        }
        for (int i = 1; i < 2 * n; i += 2) {
            assertThat(r.accept(Seq32.add(base, i), ByteBuffer.wrap(stream, i, 1).slice())).isZero();
        }
        assertThat(r.outOfOrderRanges()).isEqualTo(n);
        assertThat(r.outOfOrderBytes()).isEqualTo(n);
        r.checkInvariants();
        for (int i = 2 * n - 2; i > 0; i -= 2) {
            assertThat(r.accept(Seq32.add(base, i), ByteBuffer.wrap(stream, i, 1).slice())).isZero();
        }
        assertThat(r.outOfOrderRanges()).isEqualTo(1);
        r.checkInvariants();
        assertThat(r.accept(base, ByteBuffer.wrap(stream, 0, 1).slice())).isEqualTo(2 * n);
        ByteBuffer out = ByteBuffer.allocate(2 * n);
        r.read(out);
        assertThat(out.array()).isEqualTo(stream);
        r.checkInvariants();
    }

    @Test
    void randomArrivalOrderWithDuplicates_reassemblesTheStream_andBlocksStayAboveRcvNxt() {
        for (long seed = 1; seed <= 20; seed++) {
            Rng rng = Rng.seeded(seed);
            int first = rng.nextInt();
            ReceiveBuffer r = new ReceiveBuffer(4096);
            r.reset(first);
            byte[] stream = new byte[20_000];
            for (int i = 0; i < stream.length; i++) {
                stream[i] = (byte) rng.nextInt();
            }
            ByteBuffer out = ByteBuffer.allocate(stream.length);
            while (out.hasRemaining()) {
                int readOff = out.position();
                int off = readOff + rng.nextInt(Math.min(4096, stream.length - readOff));
                int len = Math.min(1 + rng.nextInt(600), stream.length - off);
                len = Math.min(len, readOff + 4096 - off); // the caller trims to limitSeq()
                int seq = Seq32.add(first, off);
                int skip = Math.max(0, Seq32.diff(r.rcvNxt(), seq));
                if (skip >= len) {
                    r.noteDuplicate(seq, Seq32.add(seq, len));
                } else {
                    r.accept(Seq32.add(seq, skip), ByteBuffer.wrap(stream, off + skip, len - skip).slice());
                }
                r.checkInvariants();
                List<SackBlock> blocks = r.sackBlocks(rng.chance(0.5) ? 3 : 4);
                for (int i = 0; i < blocks.size(); i++) {
                    SackBlock b = blocks.get(i);
                    assertThat(Seq32.lt(b.left(), b.right())).as("seed %d block %s", seed, b).isTrue();
                    if (i > 0 || Seq32.gt(b.left(), r.rcvNxt())) {
                        assertThat(Seq32.gt(b.left(), r.rcvNxt())).as("seed %d block %s", seed, b).isTrue();
                    }
                }
                assertThat(r.hasPendingDsack()).as("seed %d", seed).isFalse();
                if (rng.chance(0.3)) {
                    r.read(out);
                }
            }
            assertThat(out.array()).as("seed %d", seed).isEqualTo(stream);
        }
    }

    /**
     * The MPTCP data level's pattern: n subflows each deliver their own runs of the stream in
     * order, interleaved, so up to n ranges grow side by side at their ends (the hinted path),
     * with now and then a copy of bytes already held (a reinjection's twin) and a run that bridges
     * two ranges. Every byte lands once, {@code matchesHeld} agrees with a byte-by-byte check, and
     * the invariants (hints included) hold after every segment.
     */
    @Test
    void runsGrowingSideBySide_asSubflowsDeliverThem_reassembleTheStream_andMatchesHeldIsExact() {
        for (long seed = 1; seed <= 30; seed++) {
            Rng rng = Rng.seeded(seed);
            int first = rng.nextInt();
            int window = 64 * 1024;
            ReceiveBuffer r = new ReceiveBuffer(window);
            r.reset(first);
            byte[] stream = new byte[400_000];
            for (int i = 0; i < stream.length; i++) {
                stream[i] = (byte) rng.nextInt();
            }
            boolean[] held = new boolean[stream.length];
            int runs = 2 + rng.nextInt(15);
            int runLength = 2000 + rng.nextInt(20_000);
            // Runs of runLength bytes dealt to the subflows in turn; each subflow sends its runs in order.
            int[] next = new int[runs];
            int[] sentEnd = new int[runs];
            for (int k = 0; k < runs; k++) {
                next[k] = k * runLength;
            }
            ByteBuffer out = ByteBuffer.allocate(stream.length);
            int rcvNxt = 0;
            while (out.hasRemaining()) {
                int k = rng.nextInt(runs);
                int off = next[k];
                int len;
                int sent = sentEnd[k];
                int sentRunStart = sent == 0 ? 0 : (sent - 1) / runLength * runLength;
                boolean copy = rng.chance(0.03) && sent - Math.max(rcvNxt, sentRunStart) > 1;
                if (copy) {
                    // A copy of bytes this subflow sent already (a reinjection's twin), perhaps held.
                    off = Math.max(Math.max(rcvNxt, sentRunStart), sent - 1 - rng.nextInt(3000));
                    len = Math.min(1 + rng.nextInt(1448), sent - off);
                } else if (off >= stream.length) {
                    r.read(out);
                    continue;
                } else {
                    int runEnd = (off / runLength + 1) * runLength;
                    len = Math.min(Math.min(1 + rng.nextInt(1448), runEnd - off), stream.length - off);
                }
                len = Math.min(len, out.position() + window - off); // the caller trims to limitSeq()
                if (len <= 0) {
                    r.read(out);
                    continue;
                }
                if (!copy) {
                    int runEnd = (off / runLength + 1) * runLength;
                    next[k] = off + len == runEnd ? runEnd + (runs - 1) * runLength : off + len;
                    sentEnd[k] = off + len;
                }
                ByteBuffer data = ByteBuffer.wrap(stream, off, len).slice();
                boolean differs = copy && rng.chance(0.3);
                if (differs) {
                    data = ByteBuffer.wrap(stream.clone(), off, len).slice();
                    data.put(len - 1, (byte) (data.get(len - 1) + 1));
                }
                int seq = Seq32.add(first, off);
                boolean lastByteHeld = held[off + len - 1] && off + len - 1 >= rcvNxt;
                assertThat(r.matchesHeld(seq, data)).as("seed %d at %d+%d", seed, off, len)
                        .isEqualTo(!differs || !lastByteHeld);
                if (!differs) {
                    rcvNxt += r.accept(seq, data);
                    for (int i = off; i < off + len; i++) {
                        held[i] = true;
                    }
                }
                r.checkInvariants();
                assertThat(Seq32.diff(r.rcvNxt(), first)).as("seed %d", seed).isEqualTo(rcvNxt);
                if (rng.chance(0.2)) {
                    r.read(out);
                }
            }
            assertThat(out.array()).as("seed %d", seed).isEqualTo(stream);
        }
    }

    // ================================================================= D-SACK (RFC 2883 section 4)

    @Test
    void outOfOrderSegmentWhollyHeldAlready_dsackThenTheBlockHoldingIt() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(100, zeros(100)); // [100, 200)
        r.sackBlocks(3);
        assertThat(r.accept(120, zeros(50))).isZero();
        assertThat(r.hasPendingDsack()).isTrue();
        // Rule 4: "the second SACK block ... should specify that (possibly larger) block of data".
        assertThat(r.sackBlocks(3)).containsExactly(block(120, 170), block(100, 200));
        // Reported once (rule 2).
        assertThat(r.hasPendingDsack()).isFalse();
        assertThat(r.sackBlocks(3)).containsExactly(block(100, 200));
        assertThat(r.outOfOrderBytes()).isEqualTo(100);
    }

    @Test
    void outOfOrderSegmentOverlappingAHeldRange_dsackNamesOnlyTheOverlap() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(100, zeros(100)); // [100, 200)
        r.accept(300, zeros(100)); // [300, 400)
        r.sackBlocks(3);
        r.accept(150, zeros(100)); // [150, 250): [150, 200) is a duplicate
        assertThat(r.sackBlocks(3)).containsExactly(block(150, 200), block(100, 250), block(300, 400));
    }

    @Test
    void segmentOverlappingTwoHeldRanges_dsackNamesTheFirstDuplicatePart() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(100, zeros(100)); // [100, 200)
        r.accept(300, zeros(100)); // [300, 400)
        r.accept(150, zeros(200)); // [150, 350): duplicates [150, 200) and [300, 350)
        assertThat(r.sackBlocks(3)).containsExactly(block(150, 200), block(100, 400));
    }

    @Test
    void inOrderSegmentCoveringHeldData_advancesAndReportsTheDuplicate() {
        // As Linux's packetdrill tcp_dsack_mult: data 1:6001 over a held 1001:3001 gives DSACK 1001:3001.
        ReceiveBuffer r = new ReceiveBuffer(10_000);
        r.reset(1);
        r.accept(1001, zeros(2000));
        r.accept(7001, zeros(1000));
        r.sackBlocks(3);
        assertThat(r.accept(1, zeros(6000))).isEqualTo(6000);
        assertThat(r.rcvNxt()).isEqualTo(6001);
        assertThat(r.sackBlocks(3)).containsExactly(block(1001, 3001), block(7001, 8001));
    }

    @Test
    void duplicateBelowRcvNxt_isTheFirstBlockOfTheNextOption_once() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(0, zeros(300));
        r.noteDuplicate(100, 200);
        assertThat(r.hasPendingDsack()).isTrue();
        assertThat(r.sackBlocks(4)).containsExactly(block(100, 200));
        assertThat(r.sackBlocks(4)).isEmpty();

        r.accept(500, zeros(10));
        r.noteDuplicate(0, 300);
        assertThat(r.sackBlocks(3)).containsExactly(block(0, 300), block(500, 510));
    }

    @Test
    void newerDuplicate_replacesAnUnreportedOne_rule1() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(0, zeros(300));
        r.noteDuplicate(0, 100);
        r.noteDuplicate(200, 300);
        assertThat(r.sackBlocks(3)).containsExactly(block(200, 300));
    }

    @Test
    void duplicateAcrossTheWrap_isReportedInSequenceNumbers() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(-100);
        r.accept(-100, zeros(50));
        r.accept(0, zeros(100)); // [0, 100) held, beyond the wrap
        r.accept(-10, zeros(20)); // [-10, 10): [0, 10) duplicate; merges into [-10, 100)
        assertThat(r.sackBlocks(3)).containsExactly(block(0, 10), block(-10, 100));
        r.noteDuplicate(-100, -60);
        assertThat(r.sackBlocks(3)).containsExactly(block(-100, -60), block(-10, 100));
    }

    @Test
    void noteDuplicate_aboveRcvNxt_isRefused() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(0, zeros(10));
        assertThatThrownBy(() -> r.noteDuplicate(5, 20)).isInstanceOf(IllegalArgumentException.class);
    }

    // ================================================================= SACK blocks (RFC 2018 section 4)

    @Test
    void blocks_triggeringSegmentFirst_thenTheMostRecentlyReported() {
        // The same sequence as Linux's packetdrill tcp_dsack_mult, one ACK per segment.
        ReceiveBuffer r = new ReceiveBuffer(10_000);
        r.reset(1);
        r.accept(1001, zeros(1000));
        assertThat(r.sackBlocks(3)).containsExactly(block(1001, 2001));
        r.accept(2001, zeros(1000));
        assertThat(r.sackBlocks(3)).containsExactly(block(1001, 3001));
        r.accept(4001, zeros(1000));
        assertThat(r.sackBlocks(3)).containsExactly(block(4001, 5001), block(1001, 3001));
        r.accept(7001, zeros(1000));
        assertThat(r.sackBlocks(3)).containsExactly(block(7001, 8001), block(4001, 5001), block(1001, 3001));
        // A segment into an older range puts that range first; the previous first block follows.
        r.accept(5001, zeros(500));
        assertThat(r.sackBlocks(3)).containsExactly(block(4001, 5501), block(7001, 8001), block(1001, 3001));
    }

    @Test
    void segmentThatAdvancesRcvNxt_leavesThePreviousFirstBlockFirst() {
        ReceiveBuffer r = new ReceiveBuffer(10_000);
        r.reset(0);
        r.accept(1000, zeros(100));
        r.accept(3000, zeros(100));
        assertThat(r.sackBlocks(3)).containsExactly(block(3000, 3100), block(1000, 1100));
        assertThat(r.accept(0, zeros(500))).isEqualTo(500);
        assertThat(r.sackBlocks(3)).containsExactly(block(3000, 3100), block(1000, 1100));
        assertThat(r.accept(500, zeros(500))).isEqualTo(600); // fills the hole up to [1000, 1100)
        assertThat(r.sackBlocks(3)).containsExactly(block(3000, 3100));
    }

    @Test
    void manyRanges_everyRangeReportedWithinCeilNOverMaxMinusOneAcks() {
        for (int max : new int[] {3, 4}) {
            for (int n : new int[] {5, 10, 33, 100}) {
                ReceiveBuffer r = new ReceiveBuffer(100_000);
                r.reset(-1000); // crosses the wrap
                for (int i = 0; i < n; i++) {
                    r.accept(Seq32.add(-1000, 10 + 20 * i), zeros(10));
                }
                int last = Seq32.add(-1000, 10 + 20 * (n - 1));
                Set<Integer> seen = new HashSet<>();
                int acks = (n + max - 2) / (max - 1);
                for (int a = 0; a < acks; a++) {
                    List<SackBlock> blocks = r.sackBlocks(max);
                    assertThat(blocks).hasSize(Math.min(max, n));
                    assertThat(blocks.get(0).left()).as("the triggering segment's block first").isEqualTo(last);
                    blocks.forEach(b -> seen.add(b.left()));
                }
                assertThat(seen).as("max %d, %d ranges, %d ACKs", max, n, acks).hasSize(n);
            }
        }
    }

    @Test
    void newSegmentInADifferentRangeBeforeEveryAck_stillReportsEveryRange() {
        int n = 40;
        int max = 3;
        ReceiveBuffer r = new ReceiveBuffer(100_000);
        r.reset(0);
        for (int i = 0; i < n; i++) {
            r.accept(100 + 100 * i, zeros(10));
        }
        Rng rng = Rng.seeded(7);
        Set<Integer> seen = new HashSet<>();
        int[] grown = new int[n];
        for (int a = 0; a < n; a++) {
            int i = rng.nextInt(n);
            r.accept(100 + 100 * i + 10 + grown[i], zeros(1)); // extends range i at its right edge
            grown[i]++;
            List<SackBlock> blocks = r.sackBlocks(max);
            assertThat(blocks.get(0).left()).isEqualTo(100 + 100 * i);
            blocks.forEach(b -> seen.add(b.left()));
        }
        assertThat(seen).as("seed 7").hasSize(n);
    }

    @Test
    void nothingHeldAndNoDuplicate_noBlocks() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        assertThat(r.sackBlocks(3)).isEmpty();
        r.accept(0, zeros(10));
        assertThat(r.sackBlocks(3)).isEmpty();
    }

    // ================================================================= capacity

    @Test
    void setCapacity_raisesTheLimit_andTheRingGrowsToIt() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(0, zeros(1000));
        assertThat(r.freeSpace()).isZero();
        r.setCapacity(3000);
        assertThat(r.capacity()).isEqualTo(3000);
        assertThat(r.limitSeq()).isEqualTo(3000);
        r.accept(2000, zeros(1000)); // out of order, beyond the old limit
        assertThat(r.accept(1000, zeros(1000))).isEqualTo(2000);
        assertThat(r.readable()).isEqualTo(3000);
        r.checkInvariants();
    }

    @Test
    void setCapacity_neverBelowWhatIsHeld() {
        ReceiveBuffer r = new ReceiveBuffer(1000);
        r.reset(0);
        r.accept(0, zeros(100));
        r.accept(500, zeros(100)); // held up to 600
        r.setCapacity(200);
        assertThat(r.capacity()).isEqualTo(600);
        r.checkInvariants();
        r.accept(100, zeros(400));
        ByteBuffer out = ByteBuffer.allocate(600);
        assertThat(r.read(out)).isEqualTo(600);
    }
}
