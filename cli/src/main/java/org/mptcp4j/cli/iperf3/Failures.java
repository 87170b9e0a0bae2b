package org.mptcp4j.cli.iperf3;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import org.mptcp4j.net.os.NativeIoException;
import org.mptcp4j.net.testbed.Testbed;
import org.mptcp4j.net.testbed.TestbedLayout;

/** Turns what the network and the system calls throw into the one-line failures a user can act on. */
final class Failures {
    /** errno values of Linux (asm-generic/errno-base.h). */
    private static final int EPERM = 1;
    private static final int ENOENT = 2;
    private static final int EACCES = 13;
    private static final int EBUSY = 16;
    private static final int ENODEV = 19;
    private static final int ENXIO = 6;

    private Failures() {}

    /** Opening the testbed's TUN from inside its namespace failed: which of root, the device, or its holder. */
    static Iperf3Exception ofTun(IOException e, Testbed t) {
        NativeIoException n = nativeCause(e);
        int errno = n == null ? 0 : n.errno();
        String tun = TestbedLayout.TUN + " in namespace " + t.layout().mptcp4jNamespace();
        if (n != null && n.getMessage().startsWith("open /dev/net/tun") && (errno == ENOENT || errno == ENODEV || errno == ENXIO)) {
            return new Iperf3Exception(Iperf3Exception.Kind.NO_TUN,
                    "/dev/net/tun is missing: load the TUN driver (modprobe tun) or give the container the device", e);
        }
        if (errno == EPERM || errno == EACCES) {
            return new Iperf3Exception(Iperf3Exception.Kind.NOT_PERMITTED, "not permitted to open the TUN " + tun
                    + ": run as root (CAP_NET_ADMIN and CAP_SYS_ADMIN)", e);
        }
        if (errno == EBUSY) {
            return new Iperf3Exception(Iperf3Exception.Kind.PORT_IN_USE, "the TUN " + tun + ", which holds mptcp4j's addresses "
                    + "and ports on testbed " + t.config().id() + ", is in use by another process (another ./mptcp4j perf?)", e);
        }
        return new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "cannot open the TUN " + tun + ": " + e.getMessage(), e);
    }

    /** A failed connection to the server, by what the stack saw: RST, no answer, no route. */
    static Iperf3Exception ofConnect(IOException e, InetSocketAddress server, int timeoutMillis) {
        if (e instanceof Iperf3Exception i) {
            return i;
        }
        String where = server.getAddress().getHostAddress() + " port " + server.getPort();
        if (e instanceof ConnectException && String.valueOf(e.getMessage()).contains("refused")) {
            return new Iperf3Exception(Iperf3Exception.Kind.REFUSED, "unable to connect to " + where
                    + ": connection refused (is an iperf3 server listening there?)", e);
        }
        if (e instanceof SocketTimeoutException || e instanceof NoRouteToHostException
                || e instanceof ConnectException && String.valueOf(e.getMessage()).contains("timed out")) {
            String after = timeoutMillis > 0 ? " within " + timeoutMillis + " ms" : "";
            return new Iperf3Exception(Iperf3Exception.Kind.UNREACHABLE, "unable to connect to " + where + ": no answer" + after
                    + " (is the address right and the path up?)", e);
        }
        if (e instanceof UnknownHostException) {
            return new Iperf3Exception(Iperf3Exception.Kind.UNREACHABLE, "unknown host " + server.getHostString(), e);
        }
        return of(e, server.getPort());
    }

    /** Anything else of the network: a port in use, a peer gone mid-test. */
    static Iperf3Exception of(IOException e, int port) {
        if (e instanceof Iperf3Exception i) {
            return i;
        }
        if (e instanceof BindException && String.valueOf(e.getMessage()).startsWith("Cannot assign requested address")) {
            return new Iperf3Exception(Iperf3Exception.Kind.USAGE, e.getMessage()
                    + " (-B takes one of mptcp4j's addresses on the testbed: 198.18.1.1 or 198.18.2.1)", e);
        }
        if (e instanceof BindException) {
            return new Iperf3Exception(Iperf3Exception.Kind.PORT_IN_USE, "port " + port + " is in use: " + e.getMessage()
                    + " (pick another with -p)", e);
        }
        NativeIoException n = nativeCause(e);
        if (n != null && (n.errno() == EPERM || n.errno() == EACCES)) {
            return new Iperf3Exception(Iperf3Exception.Kind.NOT_PERMITTED, n.getMessage() + ": run as root", e);
        }
        return new Iperf3Exception(Iperf3Exception.Kind.PEER_CLOSED, "the test failed: " + e.getMessage(), e);
    }

    private static NativeIoException nativeCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof NativeIoException n) {
                return n;
            }
        }
        return null;
    }
}
