package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.mptcp4j.tcp.TcpError;

/**
 * What an {@link MptcpConnection} needs from the stack that holds it: opening subflows, getting a
 * subflow polled, and telling the application what happened. The stack implements it; the
 * connection never sees tuples, handles or packets.
 */
public interface MptcpHost {
    /**
     * Opens an MP_JOIN subflow for {@code subflow} from {@code local} to {@code remote} (its SYN
     * leaves at the next poll); false when it cannot (no such local address, no free port).
     */
    boolean openSubflow(MptcpConnection conn, Subflow subflow, InetAddress local, InetSocketAddress remote, long nowNanos);

    /** The subflow may have something to send (its windows opened, an ACK is due): poll it. */
    void wake(Subflow subflow);

    /** The connection's own timers changed. */
    void rearm(MptcpConnection conn);

    void onEstablished(MptcpConnection conn);

    void onReadable(MptcpConnection conn);

    void onWritable(MptcpConnection conn);

    void onPeerClosed(MptcpConnection conn);

    void onError(MptcpConnection conn, TcpError error);

    /** A path-manager event of {@code conn} ({@code ip mptcp monitor}); a host that does not listen drops it. */
    default void onPmEvent(PmEvent event) {}

    /**
     * The plain SYN a client sent after SYNs with MP_CAPABLE went unanswered was answered: something
     * on the path drops MP_CAPABLE ({@link BlackholePolicy}); active MPTCP goes off for a while.
     */
    default void onMpCapableBlackhole(long nowNanos) {}

    /** A client's MP_CAPABLE was answered: MPTCP gets through, a past blackhole is over. */
    default void onMpCapableAnswered() {}

    /** The addresses the host owns, for path managers that use them all ({@link FullmeshPathManager}). */
    default List<InetAddress> localAddresses() {
        return List.of();
    }
}
