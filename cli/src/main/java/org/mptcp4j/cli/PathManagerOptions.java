package org.mptcp4j.cli;

import java.util.Locale;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.PathManager;
import picocli.CommandLine.Option;

/**
 * The path-manager knobs of {@code demo} and {@code perf}: {@code --path-manager NAME} (like
 * {@code sysctl net.mptcp.path_manager}, with the multipath-tcp.org kernel's names too),
 * {@code --ndiffports N} and {@code --monitor} (like running {@code ip mptcp monitor} beside).
 */
final class PathManagerOptions {
    @Option(names = "--path-manager", paramLabel = "NAME",
            description = "Path manager: kernel (default; endpoints and limits), fullmesh (a subflow from every local "
                    + "address to every address of the peer), ndiffports (--ndiffports subflows over one pair of addresses, "
                    + "from distinct ports), userspace (nothing by itself: a program gives the commands).")
    String pathManager;

    @Option(names = "--ndiffports", paramLabel = "N", description = "Subflows ndiffports opens, the first included (default 2).")
    Integer ndiffports;

    @Option(names = "--monitor", description = "Print path-manager events as 'ip mptcp monitor' prints them.")
    boolean monitor;

    /** The manager's name, checked; {@code kernel} when none was given. */
    String name() {
        String name = pathManager == null ? "kernel" : pathManager.strip().toLowerCase(Locale.ROOT);
        if (PathManager.byName(name).isEmpty()) {
            throw new IllegalArgumentException("--path-manager " + pathManager + ": unknown " + PathManager.names());
        }
        return name;
    }

    int ndiffports() {
        return ndiffports == null ? MptcpConfig.defaults().ndiffports() : ndiffports;
    }

    /** {@code mptcp} with this manager and count. */
    MptcpConfig apply(MptcpConfig mptcp) {
        return mptcp.withPathManager(name()).withNdiffports(ndiffports());
    }

    /** ", path manager NAME (N subflows)" for a run's header; empty with the default. */
    String describe() {
        if (pathManager == null) {
            return "";
        }
        return ", path manager " + name() + (ndiffports == null ? "" : " (" + ndiffports + " subflows)");
    }
}
