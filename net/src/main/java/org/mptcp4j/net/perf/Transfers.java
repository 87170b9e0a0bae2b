package org.mptcp4j.net.perf;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.mptcp4j.base.SplitMix64;

/** Seeded byte streams with their SHA-256, for transfers whose both ends must agree. */
public final class Transfers {
    private Transfers() {}

    /**
     * What one side moved: the byte count, the SHA-256 (hex) of the bytes and the time taken: for a
     * sender from its first write to its flush, for a receiver from its first to its last read that
     * returned data (the receiver's goodput is {@code bytes / nanos}).
     */
    public record Result(long bytes, String sha256, long nanos) {}

    /** Writes {@code count} seeded bytes in 64 KB writes. */
    public static Result send(OutputStream out, long count, long seed) throws IOException {
        return send(out, count, seed, Long.MAX_VALUE);
    }

    /**
     * Writes up to {@code count} seeded bytes in 64 KB writes, stopping early once {@code maxNanos}
     * have passed since the first write (the bytes already written still reach the peer).
     */
    public static Result send(OutputStream out, long count, long seed, long maxNanos) throws IOException {
        return send(out, count, seed, maxNanos, true);
    }

    /**
     * {@link #send(OutputStream, long, long, long)}; without {@code hash} no SHA-256 is computed
     * (its {@code sha256} is {@link #NOT_HASHED}), for measurements of the stack's CPU alone.
     */
    public static Result send(OutputStream out, long count, long seed, long maxNanos, boolean hash) throws IOException {
        MessageDigest sha = hash ? sha256() : null;
        byte[] block = new byte[1 << 16];
        SplitMix64 rng = new SplitMix64(seed);
        for (int i = 0; i < block.length; i += 8) {
            long v = rng.nextLong();
            for (int j = 0; j < 8; j++) {
                block[i + j] = (byte) (v >>> (8 * j));
            }
        }
        long start = System.nanoTime();
        long sent = 0;
        while (sent < count && System.nanoTime() - start < maxNanos) {
            int n = (int) Math.min(block.length, count - sent);
            out.write(block, 0, n);
            if (sha != null) {
                sha.update(block, 0, n);
            }
            sent += n;
            // Vary the block so that bytes misplaced by whole blocks cannot hash the same: after the
            // k-th write byte (k - 1) mod 65536 flips, so no two blocks within 8 GiB are equal.
            // sent's low byte would not do: it is 0 after every full block.
            block[(int) ((sent - 1) / block.length % block.length)] ^= 0x5a;
        }
        out.flush();
        return new Result(sent, hex(sha), System.nanoTime() - start);
    }

    /** Reads to end of stream. */
    public static Result receive(InputStream in) throws IOException {
        return receive(in, () -> {});
    }

    /** Reads to end of stream; {@code atFirstByte} runs once, when the first read returns data. */
    public static Result receive(InputStream in, Runnable atFirstByte) throws IOException {
        return receive(in, atFirstByte, true);
    }

    /** {@link #receive(InputStream, Runnable)}, hashing only with {@code hash}. */
    public static Result receive(InputStream in, Runnable atFirstByte, boolean hash) throws IOException {
        MessageDigest sha = hash ? sha256() : null;
        byte[] buf = new byte[1 << 16];
        long first = 0;
        long last = 0;
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            last = System.nanoTime();
            if (total == 0 && n > 0) {
                first = last;
                atFirstByte.run();
            }
            if (sha != null) {
                sha.update(buf, 0, n);
            }
            total += n;
        }
        return new Result(total, hex(sha), last - first);
    }

    /** The {@code sha256} of a transfer made without hashing (kernel_peer.py's {@code --no-hash} says the same). */
    public static final String NOT_HASHED = "not computed";

    private static String hex(MessageDigest sha) {
        return sha == null ? NOT_HASHED : HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
