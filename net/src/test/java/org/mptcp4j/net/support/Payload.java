package org.mptcp4j.net.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.mptcp4j.base.SplitMix64;

/** Bytes for transfer tests: seeded random payloads, their SHA-256, and whole reads and writes on a socket. */
public final class Payload {
    private Payload() {}

    /** {@code n} bytes drawn from a generator seeded with {@code seed}: the same bytes on every run. */
    public static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        SplitMix64 rng = new SplitMix64(seed);
        for (int i = 0; i < n; i++) {
            b[i] = (byte) rng.nextLong();
        }
        return b;
    }

    public static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    /** Exactly {@code n} bytes from the socket (fewer if it ends first); for a CompletableFuture. */
    public static byte[] readN(Socket s, int n) {
        try {
            return s.getInputStream().readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All of {@code data} to the socket; for a CompletableFuture. */
    public static void write(Socket s, byte[] data) {
        try {
            s.getOutputStream().write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
