package org.mptcp4j.mptcp;

import java.util.HashMap;
import java.util.Map;
import org.mptcp4j.base.Rng;
import org.mptcp4j.crypto.MptcpCrypto;

/**
 * The connections of a stack by local token (the paper's token hash table; Linux {@code token.c}):
 * an MP_JOIN SYN names its connection by the token it carries (RFC 8684 section 3.2). Keys are
 * drawn until their token is free, so a token names one connection only.
 */
public final class TokenTable {
    private final Map<Integer, MptcpConnection> byToken = new HashMap<>();

    /** A fresh key whose token no connection of this stack uses. */
    long newKey(Rng rng) {
        while (true) {
            long key = MptcpCrypto.generateKey(rng);
            if (!byToken.containsKey(MptcpCrypto.tokenOf(key))) {
                return key;
            }
        }
    }

    void put(int token, MptcpConnection c) {
        byToken.put(token, c);
    }

    void remove(int token, MptcpConnection c) {
        byToken.remove(token, c);
    }

    /** The connection whose local token is {@code token}, or null. */
    public MptcpConnection lookup(int token) {
        return byToken.get(token);
    }

    public int size() {
        return byToken.size();
    }
}
