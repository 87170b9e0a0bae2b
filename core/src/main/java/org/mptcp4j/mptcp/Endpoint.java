package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.util.Set;

/**
 * A local address the path manager may use, as {@code ip mptcp endpoint add ADDRESS id ID FLAGS}
 * configures one for Linux's in-kernel path manager: {@code subflow} (a client opens a subflow from
 * it to the server's address), {@code signal} (announced to the peer with ADD_ADDR), {@code backup}
 * (subflows from it are used only when no other can send, RFC 8684 section 3.3.8), {@code laminar}
 * (Linux 6.18: an address the peer announces is joined from a laminar endpoint not yet in use,
 * rather than from the initial subflow's address, so that subflows pair addresses one to one).
 *
 * @param id the address ID (1 to 255; 0 is reserved for the initial subflow's address, RFC 8684 section 3.4.1)
 * @param port 0 for the port of the connection
 */
public record Endpoint(InetAddress address, int id, int port, Set<Flag> flags) {
    public enum Flag { SUBFLOW, SIGNAL, BACKUP, LAMINAR }

    public Endpoint {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("endpoint id " + id + " (1 to 255)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        flags = Set.copyOf(flags);
    }

    public static Endpoint of(InetAddress address, int id, Flag... flags) {
        return new Endpoint(address, id, 0, Set.of(flags));
    }

    public boolean has(Flag f) {
        return flags.contains(f);
    }
}
