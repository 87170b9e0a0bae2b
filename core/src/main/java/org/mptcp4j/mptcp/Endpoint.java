package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.util.Set;

/**
 * A local address the path manager may use, as {@code ip mptcp endpoint add ADDRESS id ID FLAGS}
 * configures one for Linux's in-kernel path manager: {@code subflow} (a client opens a subflow from
 * it to the server's address), {@code signal} (announced to the peer with ADD_ADDR), {@code backup}
 * (subflows from it are used only when no other can send, RFC 8684 section 3.3.8), {@code laminar}
 * (Linux 6.18: an address the peer announces is joined from a laminar endpoint not yet in use,
 * rather than from the initial subflow's address, so that subflows pair addresses one to one),
 * {@code fullmesh} (with {@code subflow}, a client joins from it to every address of the
 * peer it knows, not only the initial one; and an address the peer announces is joined from every
 * {@code fullmesh} endpoint, rather than from one address).
 *
 * <p>As {@code ip mptcp endpoint add} refuses them, an endpoint with a port must {@code signal}
 * (the port is announced with ADD_ADDR, and this end takes MP_JOINs there, nothing else), and
 * {@code fullmesh} does not go with {@code signal}.
 *
 * @param id the address ID (1 to 255; 0 is reserved for the initial subflow's address, RFC 8684 section 3.4.1)
 * @param port 0 for the port of the connection; else announced with the address (RFC 8684 section
 *     3.4.1, "Port"), and where the peer's MP_JOINs to this address arrive
 */
public record Endpoint(InetAddress address, int id, int port, Set<Flag> flags) {
    public enum Flag { SUBFLOW, SIGNAL, BACKUP, LAMINAR, FULLMESH }

    public Endpoint {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("endpoint id " + id + " (1 to 255)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port);
        }
        flags = Set.copyOf(flags);
        if (port != 0 && !flags.contains(Flag.SIGNAL)) {
            throw new IllegalArgumentException("endpoint " + address + " port " + port + ": a port needs the signal flag");
        }
        if (flags.contains(Flag.FULLMESH) && flags.contains(Flag.SIGNAL)) {
            throw new IllegalArgumentException("endpoint " + address + ": fullmesh does not go with signal");
        }
    }

    /** An endpoint announced with {@code port} ({@code ip mptcp endpoint add ADDRESS id ID port PORT signal ...}). */
    public static Endpoint withPort(InetAddress address, int id, int port, Flag... flags) {
        return new Endpoint(address, id, port, Set.of(flags));
    }

    public static Endpoint of(InetAddress address, int id, Flag... flags) {
        return new Endpoint(address, id, 0, Set.of(flags));
    }

    public boolean has(Flag f) {
        return flags.contains(f);
    }
}
