package org.mptcp4j.tcp;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.mptcp4j.base.Rng;

/**
 * Initial sequence numbers as RFC 6528 section 3 describes: {@code ISN = M + F(localip, localport,
 * remoteip, remoteport, secretkey)}, with M a 4-microsecond timer and F SHA-256 of the tuple and a
 * secret drawn once from the stack's random source.
 */
public final class IsnGenerator {
    private final byte[] secret = new byte[32];
    private final MessageDigest sha256;

    public IsnGenerator(Rng rng) {
        ByteBuffer b = ByteBuffer.wrap(secret);
        while (b.hasRemaining()) {
            b.putLong(rng.nextLong());
        }
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }

    public int isn(long nowNanos, InetAddress local, int localPort, InetAddress remote, int remotePort) {
        int m = (int) (nowNanos / 4000);
        return m + hash(false, local, localPort, remote, remotePort);
    }

    /**
     * The per-connection offset of the timestamp clock (RFC 7323 section 7.1): a keyed hash of the
     * 4-tuple rather than a fresh random number, so that TSvals keep increasing across incarnations
     * of one tuple, which a peer holding it in TIME-WAIT relies on to accept the new SYN (RFC 6191).
     */
    public int tsOffset(InetAddress local, int localPort, InetAddress remote, int remotePort) {
        return hash(true, local, localPort, remote, remotePort);
    }

    private int hash(boolean tsDomain, InetAddress local, int localPort, InetAddress remote, int remotePort) {
        sha256.reset();
        sha256.update(local.getAddress());
        sha256.update((byte) (localPort >> 8));
        sha256.update((byte) localPort);
        sha256.update(remote.getAddress());
        sha256.update((byte) (remotePort >> 8));
        sha256.update((byte) remotePort);
        sha256.update(secret);
        if (tsDomain) {
            sha256.update((byte) 'T'); // unrelated to the ISN of the same tuple
        }
        return ByteBuffer.wrap(sha256.digest()).getInt();
    }
}
