package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The Linux kernel's MPTCP in one network namespace, configured the way users do with iproute2
 * ({@code ip mptcp endpoint|limits}) and sysctl ({@code net.mptcp.*}), and observed through its
 * {@code MPTcpExt} counters ({@code nstat}) and its live subflows ({@code ss -tni}). Every call runs
 * the command inside the namespace; nothing is cached.
 */
public final class KernelMptcp {
    /** The flags of {@code ip mptcp endpoint add}; their names are iproute2's. */
    public enum Flag {
        /** Announce the address to the peer (ADD_ADDR). */
        SIGNAL,
        /** Open additional subflows from this address to the peer. */
        SUBFLOW,
        /** Subflows over this address are backup subflows (MP_JOIN with B=1, RFC 8684 section 3.3.8). */
        BACKUP,
        /** With subflow: one subflow to each of the peer's known addresses. */
        FULLMESH,
        /**
         * Linux 6.18: an address the peer announces is joined from this endpoint if no subflow uses
         * it yet. iproute2 6.1 does not know the word (it prints the bit as {@code rawflags 20}), so
         * an endpoint with it is added through generic netlink ({@code mptcp_endpoint.py}).
         */
        LAMINAR;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** The flag's bit, MPTCP_PM_ADDR_FLAG_* of include/uapi/linux/mptcp.h. */
        int bit() {
            return switch (this) {
                case SIGNAL -> 1;
                case SUBFLOW -> 2;
                case BACKUP -> 4;
                case FULLMESH -> 8;
                case LAMINAR -> 32;
            };
        }
    }

    /**
     * One endpoint as {@code ip mptcp endpoint show} prints it: {@code 198.18.2.254 id 1 signal subflow dev pb-m}.
     * {@code id} 0 and a null {@code dev} mean "let the kernel choose" when adding.
     */
    public record Endpoint(String address, int id, Set<Flag> flags, String dev) {
        public Endpoint {
            flags = flags.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(flags));
        }

        /** An endpoint with the given flags on {@code dev} (may be null), its id chosen by the kernel. */
        public static Endpoint of(String address, String dev, Flag... flags) {
            return new Endpoint(address, 0, flags.length == 0 ? Set.of() : EnumSet.of(flags[0], flags), dev);
        }

        static Endpoint parse(String line) {
            String[] w = line.strip().split("\\s+");
            int id = 0;
            String dev = null;
            EnumSet<Flag> flags = EnumSet.noneOf(Flag.class);
            for (int i = 1; i < w.length; i++) {
                switch (w[i]) {
                    case "id" -> id = Integer.parseInt(w[++i]);
                    case "dev" -> dev = w[++i];
                    case "rawflags" -> { // bits iproute2 has no word for
                        int raw = Integer.parseInt(w[++i], 16);
                        for (Flag f : Flag.values()) {
                            if ((raw & f.bit()) != 0) {
                                flags.add(f);
                            }
                        }
                    }
                    default -> {
                        for (Flag f : Flag.values()) {
                            if (f.word().equals(w[i])) {
                                flags.add(f);
                            }
                        }
                    }
                }
            }
            return new Endpoint(w[0], id, flags, dev);
        }
    }

    /** {@code ip mptcp limits}: additional subflows per connection and ADD_ADDRs accepted from the peer. */
    public record Limits(int subflows, int addAddrAccepted) {}

    private final String namespace;

    private KernelMptcp(String namespace) {
        this.namespace = namespace;
    }

    /** The kernel MPTCP of {@code namespace} (as listed by {@code ip netns}). */
    public static KernelMptcp in(String namespace) {
        return new KernelMptcp(namespace);
    }

    public String namespace() {
        return namespace;
    }

    /** {@code ip mptcp endpoint add ADDR [id N] [dev X] [signal|subflow|backup|fullmesh]}. */
    public void addEndpoint(Endpoint e) throws IOException {
        addEndpoint(e, 0);
    }

    /** {@code ip mptcp endpoint add ... port P} (0: none): a {@code signal} endpoint announced with a port (ADD_ADDR's port field). */
    public void addEndpoint(Endpoint e, int port) throws IOException {
        if (e.flags().contains(Flag.LAMINAR)) {
            addThroughNetlink(e, port);
            return;
        }
        List<String> args = new ArrayList<>(List.of("endpoint", "add", e.address()));
        if (e.id() != 0) {
            args.addAll(List.of("id", Integer.toString(e.id())));
        }
        if (e.dev() != null) {
            args.addAll(List.of("dev", e.dev()));
        }
        for (Flag f : Flag.values()) {
            if (e.flags().contains(f)) {
                args.add(f.word());
            }
        }
        if (port != 0) {
            args.addAll(List.of("port", Integer.toString(port)));
        }
        ipMptcp(args.toArray(String[]::new));
    }

    /** {@code ip mptcp endpoint add} as generic netlink's MPTCP_PM_CMD_ADD_ADDR, for flags iproute2 does not know. */
    private void addThroughNetlink(Endpoint e, int port) throws IOException {
        int mask = 0;
        for (Flag f : e.flags()) {
            mask |= f.bit();
        }
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "python3",
                Scripts.extract("mptcp_endpoint.py").toString(), e.address(), Integer.toString(mask)));
        if (e.id() != 0) {
            cmd.addAll(List.of("--id", Integer.toString(e.id())));
        }
        if (e.dev() != null) {
            cmd.addAll(List.of("--dev", e.dev()));
        }
        if (port != 0) {
            cmd.addAll(List.of("--port", Integer.toString(port)));
        }
        Shell.run(cmd.toArray(String[]::new));
    }

    /** {@code ip mptcp endpoint delete id N}: the kernel withdraws it (REMOVE_ADDR) and closes its subflows. */
    public void deleteEndpoint(int id) throws IOException {
        ipMptcp("endpoint", "delete", "id", Integer.toString(id));
    }

    /** {@code ip mptcp endpoint change id N backup|nobackup}: the kernel sends MP_PRIO on the subflows from it. */
    public void setEndpointBackup(int id, boolean backup) throws IOException {
        ipMptcp("endpoint", "change", "id", Integer.toString(id), backup ? "backup" : "nobackup");
    }

    /** {@code ip mptcp endpoint flush}: removes every endpoint. */
    public void flushEndpoints() throws IOException {
        ipMptcp("endpoint", "flush");
    }

    /** {@code ip mptcp endpoint show}. */
    public List<Endpoint> endpoints() throws IOException {
        List<Endpoint> result = new ArrayList<>();
        for (String line : ipMptcp("endpoint", "show").split("\n")) {
            if (!line.isBlank()) {
                result.add(Endpoint.parse(line));
            }
        }
        return result;
    }

    /** {@code ip mptcp limits set subflows N add_addr_accepted M}. */
    public void setLimits(Limits limits) throws IOException {
        ipMptcp("limits", "set", "subflows", Integer.toString(limits.subflows()),
                "add_addr_accepted", Integer.toString(limits.addAddrAccepted()));
    }

    /** {@code ip mptcp limits show}, e.g. {@code add_addr_accepted 8 subflows 8}. */
    public Limits limits() throws IOException {
        String[] w = ipMptcp("limits", "show").strip().split("\\s+");
        int subflows = -1;
        int accepted = -1;
        for (int i = 0; i + 1 < w.length; i += 2) {
            switch (w[i]) {
                case "subflows" -> subflows = Integer.parseInt(w[i + 1]);
                case "add_addr_accepted" -> accepted = Integer.parseInt(w[i + 1]);
                default -> { }
            }
        }
        return new Limits(subflows, accepted);
    }

    /** {@code net.mptcp.enabled}: 0 makes {@code socket(..., IPPROTO_MPTCP)} fail. */
    public void setEnabled(boolean enabled) throws IOException {
        setSysctl("net.mptcp.enabled", enabled ? "1" : "0");
    }

    public boolean enabled() throws IOException {
        return sysctl("net.mptcp.enabled").equals("1");
    }

    /**
     * {@code net.mptcp.checksum_enabled}: request DSS checksums in MP_CAPABLE (flag A, RFC 8684
     * section 3.1). Checksums are used when either end requests them.
     */
    public void setChecksumEnabled(boolean enabled) throws IOException {
        setSysctl("net.mptcp.checksum_enabled", enabled ? "1" : "0");
    }

    public boolean checksumEnabled() throws IOException {
        return sysctl("net.mptcp.checksum_enabled").equals("1");
    }

    /**
     * {@code net.mptcp.allow_join_initial_addr_port}: off, the kernel's MP_CAPABLE SYN/ACK carries
     * flag C (RFC 8684 section 3.1) and the peer must not join its initial address and port.
     */
    public void setAllowJoinInitialAddrPort(boolean allow) throws IOException {
        setSysctl("net.mptcp.allow_join_initial_addr_port", allow ? "1" : "0");
    }

    /** {@code net.mptcp.add_addr_timeout}: seconds before an unechoed ADD_ADDR is sent again (Linux: 120). */
    public void setAddAddrTimeoutSeconds(int seconds) throws IOException {
        setSysctl("net.mptcp.add_addr_timeout", Integer.toString(seconds));
    }

    /**
     * {@code net.mptcp.blackhole_timeout}: seconds active MPTCP stays off after SYNs with MP_CAPABLE
     * went unanswered and a plain one got through (Linux 6.12: 3600); 0 turns the detection off,
     * and turns active MPTCP back on at once if a blackhole had it off.
     */
    public void setBlackholeTimeoutSeconds(int seconds) throws IOException {
        setSysctl("net.mptcp.blackhole_timeout", Integer.toString(seconds));
    }

    /** The namespace's {@code MPTcpExt*} counters (absolute values, all of them, zeros included). */
    public Map<String, Long> counters() throws IOException {
        Map<String, Long> mptcp = new LinkedHashMap<>();
        Nstat.read(namespace).forEach((k, v) -> {
            if (k.startsWith("MPTcpExt")) {
                mptcp.put(k, v);
            }
        });
        return mptcp;
    }

    /** The subflows of the namespace's live MPTCP connections ({@code ss -tni}), in {@code ss}'s order. */
    public List<KernelSubflow> subflows() throws IOException {
        return KernelSubflow.parse(Shell.run("ip", "netns", "exec", namespace, "ss", "-tniH"));
    }

    /** The namespace's MPTCP sockets, listeners excepted ({@code ss -Mni}), in {@code ss}'s order. */
    public List<KernelMptcpSocket> mptcpSockets() throws IOException {
        return KernelMptcpSocket.parse(Shell.run("ip", "netns", "exec", namespace, "ss", "-MniH"));
    }

    private String ipMptcp(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "-n", namespace, "mptcp"));
        cmd.addAll(List.of(args));
        return Shell.run(cmd.toArray(String[]::new));
    }

    private void setSysctl(String key, String value) throws IOException {
        Shell.run("ip", "netns", "exec", namespace, "sysctl", "-qw", key + "=" + value);
    }

    private String sysctl(String key) throws IOException {
        return Shell.run("ip", "netns", "exec", namespace, "sysctl", "-n", key).strip();
    }
}
