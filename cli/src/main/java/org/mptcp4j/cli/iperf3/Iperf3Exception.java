package org.mptcp4j.cli.iperf3;

import java.io.IOException;

/**
 * A test that could not run or finish, with what the user can do about it: the message is one line
 * for the terminal and {@link Kind#exitCode()} tells scripts which case it was.
 */
public final class Iperf3Exception extends IOException {
    /** The cases a user can tell apart and act on, each with its own exit code. */
    public enum Kind {
        /** The peer broke iperf3's control protocol. */
        PROTOCOL(1),
        /** The peer closed the control connection in the middle of a test. */
        PEER_CLOSED(1),
        /** The peer reported an error (SERVER_ERROR, SERVER_TERMINATE, CLIENT_TERMINATE, ACCESS_DENIED). */
        PEER_ERROR(1),
        /** Options that do not fit together or name what is not there (an address mptcp4j does not own). */
        USAGE(2),
        /** {@code /dev/net/tun} does not exist: no TUN driver (modprobe tun) or a container without the device. */
        NO_TUN(3),
        /** Opening the TUN or entering the testbed's namespace needs root (CAP_NET_ADMIN, CAP_SYS_ADMIN). */
        NOT_PERMITTED(4),
        /** The port (or the testbed's TUN, which holds mptcp4j's addresses) is taken by another process. */
        PORT_IN_USE(5),
        /** No answer from the peer: a wrong address, or a path that drops everything. */
        UNREACHABLE(6),
        /** The peer answered with RST: nothing listens on that port. */
        REFUSED(7),
        /** The test ran, but over plain TCP: the peer did not speak MPTCP. */
        FELL_BACK_TO_TCP(8),
        /** No testbed is up, or several are and none was named. */
        NO_TESTBED(9);

        private final int exitCode;

        Kind(int exitCode) {
            this.exitCode = exitCode;
        }

        public int exitCode() {
            return exitCode;
        }
    }

    private final Kind kind;

    public Iperf3Exception(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Iperf3Exception(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
