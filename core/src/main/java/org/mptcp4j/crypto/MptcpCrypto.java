package org.mptcp4j.crypto;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.mptcp4j.base.Rng;
import org.mptcp4j.wire.Checksums;

/**
 * The cryptographic pieces of RFC 8684 (sections 3.1 to 3.4), with the JDK's SHA-256 and
 * HMAC-SHA256. All multi-byte inputs are big-endian (network order), as Linux computes them.
 *
 * <ul>
 *   <li>key: 64 bits from the caller's {@link Rng} (section 3.1);
 *   <li>token: the most significant 32 bits of SHA-256(key); IDSN: the least significant 64 bits;
 *   <li>MP_JOIN: HMAC-SHA256 keyed with the two keys concatenated (sender's first) over the two
 *       random nonces (sender's first); the SYN/ACK carries the leftmost 64 bits, the third ACK
 *       the leftmost 160 (section 3.2);
 *   <li>ADD_ADDR: HMAC-SHA256 keyed with the sender's and receiver's keys over address id,
 *       address and port (two zero bytes when absent, as Linux sends it); the option carries the
 *       rightmost 64 bits (section 3.4.1);
 *   <li>DSS checksum: the Internet checksum over a pseudo-header and the mapped payload (3.3.1).
 * </ul>
 */
public final class MptcpCrypto {
    private MptcpCrypto() {}

    public static final int JOIN_ACK_HMAC_BYTES = 20;

    /**
     * A fresh local key: non-zero, with a non-zero token (a zero token is what Linux's token table
     * treats as "none", so it regenerates). Callers that must avoid token collisions with their own
     * connections loop on this with their token table.
     */
    public static long generateKey(Rng rng) {
        while (true) {
            long key = rng.nextLong();
            if (key != 0 && tokenOf(key) != 0) {
                return key;
            }
        }
    }

    /** The token: the most significant 32 bits of SHA-256 over the 8-byte key. */
    public static int tokenOf(long key) {
        return ByteBuffer.wrap(sha256(key)).getInt(0);
    }

    /** The initial data sequence number: the least significant 64 bits of SHA-256 over the key. */
    public static long idsnOf(long key) {
        return ByteBuffer.wrap(sha256(key)).getLong(24);
    }

    /** The full HMAC-SHA256 of MP_JOIN: key = localKey || remoteKey, message = localRandom || remoteRandom. */
    public static byte[] joinHmac(long localKey, long remoteKey, int localRandom, int remoteRandom) {
        return hmacSha256(keyPair(localKey, remoteKey), ByteBuffer.allocate(8).putInt(localRandom).putInt(remoteRandom).array());
    }

    /** The MP_JOIN SYN/ACK's truncated HMAC: the leftmost 64 bits of HMAC(Key-B || Key-A, R-B || R-A). */
    public static long joinSynAckHmac(long serverKey, long clientKey, int serverRandom, int clientRandom) {
        return ByteBuffer.wrap(joinHmac(serverKey, clientKey, serverRandom, clientRandom)).getLong(0);
    }

    /** The MP_JOIN third ACK's HMAC: the leftmost 160 bits of HMAC(Key-A || Key-B, R-A || R-B). */
    public static byte[] joinAckHmac(long clientKey, long serverKey, int clientRandom, int serverRandom) {
        return Arrays.copyOf(joinHmac(clientKey, serverKey, clientRandom, serverRandom), JOIN_ACK_HMAC_BYTES);
    }

    /**
     * The ADD_ADDR truncated HMAC: the rightmost 64 bits of HMAC(sender's key || receiver's key,
     * address id || address || port). {@code port} is 0 when the option carries none.
     */
    public static long addAddrHmac(long senderKey, long receiverKey, int addressId, InetAddress addr, int port) {
        byte[] a = addr.getAddress();
        byte[] msg = ByteBuffer.allocate(1 + a.length + 2).put((byte) addressId).put(a).putShort((short) port).array();
        return ByteBuffer.wrap(hmacSha256(keyPair(senderKey, receiverKey), msg)).getLong(24);
    }

    /**
     * The DSS checksum (RFC 8684 section 3.3.1): the Internet checksum over the pseudo-header
     * (64-bit DSN, 32-bit relative subflow sequence number, 16-bit data-level length, 16-bit
     * checksum field taken as zero) followed by {@code payload}'s remaining bytes.
     * A receiver verifies by checking that this equals the value in the option.
     */
    public static int dssChecksum(long dsn64, int subflowSeqRelative, int dataLevelLength, ByteBuffer payload) {
        int s = Checksums.add32(0, (int) (dsn64 >>> 32));
        s = Checksums.add32(s, (int) dsn64);
        s = Checksums.add32(s, subflowSeqRelative);
        s = Checksums.add16(s, dataLevelLength);
        s = Checksums.sum(payload, payload.position(), payload.remaining(), s);
        return Checksums.finish(s);
    }

    /** HMAC-SHA256 of {@code message} under {@code key} (RFC 2104), the 32-byte result. */
    public static byte[] hmacSha256(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always provides HmacSHA256", e);
        }
    }

    private static byte[] sha256(long key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(ByteBuffer.allocate(8).putLong(key).array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK always provides SHA-256", e);
        }
    }

    private static byte[] keyPair(long first, long second) {
        return ByteBuffer.allocate(16).putLong(first).putLong(second).array();
    }
}
