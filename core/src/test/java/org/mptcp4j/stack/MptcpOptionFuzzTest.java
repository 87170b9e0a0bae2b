package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.MptcpConnection.Mode;
import org.mptcp4j.wire.Checksums;

/**
 * A middlebox on the path rewrites the MPTCP options of some segments (RFC 8684 section 3 forms
 * made truncated, oversized, of an unknown subtype or version, with contradictory mappings, DATA_ACKs
 * beyond what was sent, data sequence numbers out of the window, or the option twice) and fixes the
 * checksums, so the stacks see them. Whatever it does: no exception leaves the engine, the stacks'
 * invariants hold, the receiver's application only ever reads a prefix of what the sender wrote,
 * and nothing the receiver acknowledged at the data level is missing from what it delivers. The
 * transfer completes intact unless the connection ends with a reset the application sees, and each
 * rewrite gets the outcome RFC 8684 gives it, counted ({@link #assertOutcome}; docs/MPTCP.md,
 * "Rewritten options"). Seeds 1-3 run in the build; {@code -Dmptcp4j.fuzz.seeds=200} runs longer.
 */
class MptcpOptionFuzzTest {
    private static final int OPTION_MPTCP = 30;

    enum Mutation {
        TRUNCATED, OVERSIZED, UNKNOWN_SUBTYPE, WRONG_VERSION, DSS_MAPPING_SHIFTED, DATA_ACK_BEYOND_SENT,
        DSN_OUT_OF_WINDOW, DUPLICATED, RANDOM_BYTES
    }

    /** Seeds 1..n run for each rewrite, with checksums off and on; {@code -Dmptcp4j.fuzz.seeds=200} runs longer. */
    static final int SEEDS = Integer.getInteger("mptcp4j.fuzz.seeds", 3);
    /** {@code -Dmptcp4j.fuzz.seed=n} runs seed n alone (to reproduce a failure). */
    static final Integer ONLY_SEED = Integer.getInteger("mptcp4j.fuzz.seed");
    /** {@code -Dmptcp4j.fuzz.mutation=NAME} runs that rewrite alone. */
    static final String ONLY_MUTATION = System.getProperty("mptcp4j.fuzz.mutation");

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (Mutation m : Mutation.values()) {
            if (ONLY_MUTATION != null && !ONLY_MUTATION.equals(m.name())) {
                continue;
            }
            for (boolean checksums : new boolean[] {false, true}) {
                for (long seed = ONLY_SEED != null ? ONLY_SEED : 1; seed <= (ONLY_SEED != null ? ONLY_SEED : SEEDS); seed++) {
                    b.add(Arguments.of(m, checksums, seed));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "{0} checksums={1} seed={2}")
    @MethodSource("cases")
    void rewrittenOptions_neverThrow_neverCorrupt_neverLoseAcknowledgedData(Mutation mutation, boolean checksums,
            long seed) {
        StackConfig config = StackConfig.defaults().withMptcp(MptcpConfig.defaults().withChecksumRequired(checksums));
        Pair pair = new Pair(config, seed);
        pair.toServer.rateBps = 50_000_000;
        pair.toClient.rateBps = 50_000_000;
        Rng rng = Rng.seeded(seed * 7919 + mutation.ordinal());
        int[] rewrites = new int[1];
        // One packet in twenty that carries an MPTCP option is rewritten, either way; MP_CAPABLE
        // versions one in two, for only the handshake's few packets carry one.
        double chance = mutation == Mutation.WRONG_VERSION ? 0.5 : 0.05;
        pair.toServer.rewrite = bytes -> rng.chance(chance) ? rewrite(bytes, mutation, checksums, rng, rewrites) : bytes;
        pair.toClient.rewrite = bytes -> rng.chance(chance) ? rewrite(bytes, mutation, checksums, rng, rewrites) : bytes;
        Transfer t = new Transfer(pair, 512 * 1024, seed).keepingBytes();
        try {
            pair.flush();
            pair.driveUntil(() -> {
                t.pump();
                return t.endOfStream() || ended(pair);
            }, Nanos.ofSeconds(120), 5_000_000);
        } catch (RuntimeException | AssertionError e) {
            fail("%s checksums=%s seed=%d: %s %s client=%s server=%s", mutation, checksums, seed, e, counters(pair),
                    pair.client.mptcpInfo(t.clientConn), pair.server.mptcpInfo(t.serverConn), e);
        }
        byte[] sent = t.sentBytes();
        byte[] received = t.receivedBytes();
        String context = mutation + " checksums=" + checksums + " seed=" + seed + " " + counters(pair)
                + "client " + brief(pair.client.mptcpInfo(t.clientConn)) + " server "
                + brief(t.serverConn == null ? null : pair.server.mptcpInfo(t.serverConn)) + " read " + received.length;
        assertThat(received.length).as(context).isLessThanOrEqualTo(sent.length);
        assertThat(Arrays.equals(received, 0, received.length, sent, 0, received.length))
                .as("what the receiver read is a prefix of what was written: %s", context).isTrue();
        if (!ended(pair)) {
            // Not reset: the driver stopped at the end of the stream, which must be all of it.
            assertThat(t.endOfStream()).as(context).isTrue();
            assertThat(t.receivedSha256()).as(context).isEqualTo(t.sentSha256());
        }
        var info = pair.client.mptcpInfo(t.clientConn);
        if (info != null && info.mode() != Mode.PLAIN) {
            assertThat(received.length).as("data-level acknowledged bytes were delivered: %s", context)
                    .isGreaterThanOrEqualTo((int) Math.min(info.bytesAcked(), sent.length));
        }
        assertOutcome(mutation, checksums, pair, t, rewrites[0], context);
    }

    /**
     * Each rewrite gets the outcome RFC 8684 gives it, counted (docs/MPTCP.md, "Rewritten
     * options"). Asserted only once the rewrite happened (a seed may not reach the packets a
     * rewrite applies to).
     */
    private static void assertOutcome(Mutation mutation, boolean checksums, Pair pair, Transfer t, int rewrites,
            String context) {
        if (rewrites == 0) {
            return;
        }
        Mode mode = pair.client.mptcpInfo(t.clientConn) == null ? null : pair.client.mptcpInfo(t.clientConn).mode();
        // A rewritten MP_CAPABLE flag may have turned checksums on: what was negotiated counts.
        checksums |= pair.client.mptcpInfo(t.clientConn) != null && pair.client.mptcpInfo(t.clientConn).checksums();
        boolean completed = !ended(pair);
        // Section 3.7: MP_FAIL answers a failed checksum, and nothing else.
        if (checksums && count(pair, MibCounter.MPTCP_DATA_CSUM_ERR) > 0) {
            assertThat(count(pair, MibCounter.MPTCP_MP_FAIL_TX)).as("MP_FAIL after a failed checksum: %s", context)
                    .isPositive();
        }
        if (!checksums) {
            assertThat(count(pair, MibCounter.MPTCP_MP_FAIL_TX) + count(pair, MibCounter.MPTCP_DATA_CSUM_ERR))
                    .as("no checksum, no MP_FAIL: %s", context).isZero();
        }
        // Data dropped for want of a mapping on a connection that stayed MPTCP came again at the data level.
        if (completed && mode == Mode.MPTCP && count(pair, MibCounter.MPTCP_DATA_UNMAPPED) > 0) {
            assertThat(count(pair, MibCounter.MPTCP_RETRANS)).as("resent under a fresh mapping: %s", context).isPositive();
        }
        switch (mutation) {
            case TRUNCATED, OVERSIZED -> assertThat(count(pair, MibCounter.TCP_OPTION_MALFORMED)
                    + count(pair, MibCounter.MPTCP_OPTION_MALFORMED) > 0 || mode == Mode.PLAIN)
                    .as("ignored as malformed (the SYN's MP_CAPABLE too: plain TCP): %s", context).isTrue();
            case UNKNOWN_SUBTYPE -> assertThat(count(pair, MibCounter.MPTCP_UNKNOWN_SUBTYPE) > 0 || mode == Mode.PLAIN)
                    .as("ignored, counted (or the SYN's MP_CAPABLE went and the connection is TCP): %s", context).isTrue();
            case WRONG_VERSION -> {
                assertThat(count(pair, MibCounter.MPTCP_CAPABLE_BAD_VERSION)).as("counted: %s", context).isPositive();
                assertThat(mode).as("fallback to TCP: %s", context).isIn(Mode.PLAIN, Mode.FALLBACK);
            }
            case DSS_MAPPING_SHIFTED, DSN_OUT_OF_WINDOW -> {
                long seen = count(pair, MibCounter.MPTCP_DSS_NOT_MATCHING) + count(pair, MibCounter.MPTCP_NO_DSS_IN_WINDOW)
                        + count(pair, MibCounter.MPTCP_DATA_CSUM_ERR);
                assertThat(seen).as("contradiction, window or checksum caught it: %s", context).isPositive();
                if (checksums && count(pair, MibCounter.MPTCP_DATA_CSUM_ERR) > 0 && completed) {
                    assertThat(mode).as("MP_FAIL on the only subflow ends in a fallback: %s", context)
                            .isEqualTo(Mode.FALLBACK);
                    assertThat(count(pair, MibCounter.MPTCP_INFINITE_MAP_TX)).as(context).isPositive();
                }
            }
            case DATA_ACK_BEYOND_SENT -> {
                assertThat(count(pair, MibCounter.MPTCP_DATA_ACK_TOO_NEW)).as("ignored, counted: %s", context).isPositive();
                assertThat(completed).as("ignored: %s", context).isTrue();
            }
            case DUPLICATED -> {
                assertThat(count(pair, MibCounter.MPTCP_DUPLICATE_OPTION)).as("ignored, counted: %s", context).isPositive();
                assertThat(completed && mode == Mode.MPTCP).as("ignored: %s", context).isTrue();
            }
            case RANDOM_BYTES -> {
                long seen = 0;
                for (MibCounter c : new MibCounter[] {MibCounter.TCP_OPTION_MALFORMED, MibCounter.MPTCP_OPTION_MALFORMED,
                        MibCounter.MPTCP_UNKNOWN_SUBTYPE, MibCounter.MPTCP_CAPABLE_BAD_VERSION,
                        MibCounter.MPTCP_DUPLICATE_OPTION, MibCounter.MPTCP_DSS_NOT_MATCHING,
                        MibCounter.MPTCP_DSS_NO_MATCH_TCP, MibCounter.MPTCP_NO_DSS_IN_WINDOW,
                        MibCounter.MPTCP_DATA_CSUM_ERR, MibCounter.MPTCP_DATA_ACK_TOO_NEW, MibCounter.MPTCP_DATA_UNMAPPED,
                        MibCounter.TCP_EXTENSION_REJECT, MibCounter.MPTCP_MP_FAIL_RX,
                        // bytes that happen to make another valid option get that option's outcome
                        MibCounter.MPTCP_RM_ADDR, MibCounter.MPTCP_ADD_ADDR, MibCounter.MPTCP_ADD_ADDR_DROP,
                        MibCounter.MPTCP_MP_PRIO_RX, MibCounter.MPTCP_FASTCLOSE_RX, MibCounter.MPTCP_RST_RX}) {
                    seen += count(pair, c);
                }
                assertThat(seen > 0 || completed).as("caught and counted, or harmless: %s", context).isTrue();
            }
        }
    }

    private static long count(Pair pair, MibCounter c) {
        return pair.client.mib().get(c) + pair.server.mib().get(c);
    }

    private static String brief(org.mptcp4j.mptcp.MptcpInfo info) {
        return info == null ? "-" : info.mode() + " acked " + info.bytesAcked() + " received " + info.bytesReceived();
    }

    private static boolean ended(Pair pair) {
        return pair.clientEvents.stream().anyMatch(e -> e instanceof StackEvent.Reset)
                || pair.serverEvents.stream().anyMatch(e -> e instanceof StackEvent.Reset);
    }

    private static String counters(Pair pair) {
        StringBuilder sb = new StringBuilder();
        for (MibCounter c : MibCounter.values()) {
            long v = pair.client.mib().get(c) + pair.server.mib().get(c);
            if (v != 0 && (c.name().startsWith("MPTCP") || c.name().contains("MALFORMED") || c == MibCounter.TCP_EXTENSION_REJECT)) {
                sb.append(c.name()).append('=').append(v).append(' ');
            }
        }
        return sb.toString();
    }

    /** Alters the first MPTCP option of an IPv4 TCP packet and fixes the checksum; other packets pass. */
    static byte[] rewrite(byte[] packet, Mutation mutation, boolean checksums, Rng rng, int[] rewrites) {
        ByteBuffer b = ByteBuffer.wrap(packet = packet.clone());
        int tcp = (b.get(0) & 0x0F) * 4;
        int optionsEnd = tcp + ((b.get(tcp + 12) & 0xFF) >>> 4) * 4;
        int at = tcp + 20;
        while (at + 1 < optionsEnd) {
            int kind = b.get(at) & 0xFF;
            if (kind == 0) {
                return packet;
            }
            if (kind == 1) {
                at++;
                continue;
            }
            int len = b.get(at + 1) & 0xFF;
            if (len < 2 || at + len > optionsEnd) {
                return packet;
            }
            if (kind == OPTION_MPTCP && len >= 3 && mutation == Mutation.DUPLICATED) {
                byte[] grown = duplicate(packet, tcp, at, len, optionsEnd);
                if (grown != packet) {
                    rewrites[0]++;
                }
                return grown;
            }
            if (kind == OPTION_MPTCP && len >= 3) {
                if (!mutate(b, at, len, optionsEnd, mutation, rng, checksums)) {
                    return packet;
                }
                rewrites[0]++;
                StackBadInputTest.fixTcp(b);
                return packet;
            }
            at += len;
        }
        return packet;
    }

    private static boolean mutate(ByteBuffer b, int at, int len, int optionsEnd, Mutation mutation, Rng rng,
            boolean checksums) {
        int subtype = (b.get(at + 2) & 0xFF) >>> 4;
        switch (mutation) {
            case TRUNCATED -> b.put(at + 1, (byte) (2 + rng.nextInt(len - 2)));
            case OVERSIZED -> b.put(at + 1, (byte) (len + 1 + rng.nextInt(40)));
            case UNKNOWN_SUBTYPE -> b.put(at + 2, (byte) ((0x9 + rng.nextInt(6)) << 4 | (b.get(at + 2) & 0x0F)));
            case WRONG_VERSION -> {
                if (subtype != 0) {
                    return false;
                }
                b.put(at + 2, (byte) (rng.nextInt(16) == 1 ? 0 : 2 + rng.nextInt(14)));
            }
            case DSS_MAPPING_SHIFTED, DSN_OUT_OF_WINDOW -> {
                int dsn = dssMappingOffset(b, at, len);
                if (dsn < 0) {
                    return false;
                }
                int delta = mutation == Mutation.DSS_MAPPING_SHIFTED ? 1 + rng.nextInt(4096) : 1 << 30;
                b.putInt(dsn, b.getInt(dsn) + delta);
            }
            case DATA_ACK_BEYOND_SENT -> {
                if (subtype != 2 || (b.get(at + 3) & 0x01) == 0) {
                    return false;
                }
                int ack = (b.get(at + 3) & 0x02) != 0 ? at + 8 : at + 4;
                b.putInt(ack, b.getInt(ack) + (1 << 20) + rng.nextInt(1 << 20));
            }
            case DUPLICATED -> throw new IllegalArgumentException("duplicate() grows the packet");
            case RANDOM_BYTES -> {
                // Any byte but a DATA_ACK's: one rewritten to a value within what was sent cannot be
                // told from a true one (no checksum covers it), and the sender frees data the
                // receiver never got (docs/MPTCP.md, "Rewritten options").
                // Without checksums, not a mapping's DSN or subflow sequence number either: one
                // rewritten so that the data lands on DSNs already in order is delivered as it is,
                // which is what checksums are for (RFC 8684 section 3.3.1).
                int ackFrom = subtype == 2 && (b.get(at + 3) & 0x01) != 0 ? at + 4 : -1;
                int ackTo = ackFrom < 0 ? -1 : ackFrom + ((b.get(at + 3) & 0x02) != 0 ? 8 : 4);
                if (!checksums && ackFrom >= 0 && dssMappingOffset(b, at, len) >= 0) {
                    ackTo = Math.min(at + len, ackTo + ((b.get(at + 3) & 0x08) != 0 ? 8 : 4) + 4);
                } else if (!checksums && dssMappingOffset(b, at, len) >= 0) {
                    ackFrom = at + 4;
                    ackTo = Math.min(at + len, ackFrom + ((b.get(at + 3) & 0x08) != 0 ? 8 : 4) + 4);
                }
                int i = at + 2 + rng.nextInt(len - 2);
                if (i >= ackFrom && i < ackTo) {
                    i = ackTo < at + len ? ackTo + rng.nextInt(at + len - ackTo) : at + 2 + rng.nextInt(2);
                }
                b.put(i, (byte) (b.get(i) ^ (1 + rng.nextInt(255))));
            }
        }
        return true;
    }

    /**
     * The packet with the MPTCP option at {@code at} written a second time right after it (padded
     * with NOPs to a 4-byte boundary), the TCP header grown to hold it, the IPv4 total length and
     * both checksums fixed; the packet itself when the option space (40 bytes) or the link MTU has
     * no room.
     */
    private static byte[] duplicate(byte[] packet, int tcp, int at, int len, int optionsEnd) {
        int add = (len + 3) & ~3;
        if (optionsEnd - (tcp + 20) + add > 40 || packet.length + add > 1500) {
            return packet;
        }
        byte[] out = new byte[packet.length + add];
        int end = at + len;
        System.arraycopy(packet, 0, out, 0, end);
        System.arraycopy(packet, at, out, end, len);
        Arrays.fill(out, end + len, end + add, (byte) 1);
        System.arraycopy(packet, end, out, end + add, packet.length - end);
        ByteBuffer b = ByteBuffer.wrap(out);
        int dataOffset = (b.get(tcp + 12) & 0xFF) >>> 4;
        b.put(tcp + 12, (byte) ((dataOffset + add / 4) << 4 | (b.get(tcp + 12) & 0x0F)));
        b.putShort(2, (short) out.length);
        b.putShort(10, (short) 0);
        b.putShort(10, (short) Checksums.finish(Checksums.sum(b, 0, tcp, 0)));
        StackBadInputTest.fixTcp(b);
        return out;
    }

    /** Where the 32 low bits of a DSS option's data sequence number sit, or -1 without a mapping. */
    private static int dssMappingOffset(ByteBuffer b, int at, int len) {
        if (((b.get(at + 2) & 0xFF) >>> 4) != 2) {
            return -1;
        }
        int flags = b.get(at + 3) & 0xFF;
        if ((flags & 0x04) == 0) {
            return -1;
        }
        int p = at + 4;
        if ((flags & 0x01) != 0) {
            p += (flags & 0x02) != 0 ? 8 : 4;
        }
        int dsnLow = (flags & 0x08) != 0 ? p + 4 : p;
        return dsnLow + 4 <= at + len ? dsnLow : -1;
    }
}
