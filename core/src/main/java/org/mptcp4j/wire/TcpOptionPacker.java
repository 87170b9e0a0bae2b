package org.mptcp4j.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which options fit the 40-byte option space, in the caller's order of preference, with the
 * alignment padding {@link TcpOptions} adds (e.g. timestamps as NOP, NOP, TS). An option that does
 * not fit is skipped and the next ones are still tried; a SACK option that does not fit whole keeps
 * the leading blocks that do (RFC 2018 section 4: the first blocks are the ones that matter).
 * Linux gives MPTCP options precedence over SACK blocks ({@code tcp_established_options}: "MPTCP
 * options have precedence over SACK"), so the TCP engine lists timestamps, then the MPTCP option,
 * then SACK.
 */
public final class TcpOptionPacker {
    private TcpOptionPacker() {}

    public static PackResult pack(List<TcpOption> wanted) {
        List<TcpOption> packed = new ArrayList<>(wanted.size());
        List<TcpOption> notFitted = new ArrayList<>(0);
        int length = 0;
        for (TcpOption o : wanted) {
            packed.add(o);
            int candidate = TcpOptions.layoutLength(packed);
            if (candidate <= TcpOptions.MAX_SPACE) {
                length = candidate;
            } else {
                packed.removeLast();
                TcpOption trimmed = o instanceof TcpOption.Sack sack ? trimToFit(packed, sack) : null;
                if (trimmed != null) {
                    packed.add(trimmed);
                    length = TcpOptions.layoutLength(packed);
                }
                notFitted.add(o);
            }
        }
        return new PackResult(packed, notFitted, length);
    }

    /** The SACK option with as many leading blocks as fit after {@code packed}, or null if none does. */
    private static TcpOption.Sack trimToFit(List<TcpOption> packed, TcpOption.Sack sack) {
        for (int n = sack.blocks().size() - 1; n >= 1; n--) {
            List<TcpOption> candidate = new ArrayList<>(packed);
            TcpOption.Sack fewer = new TcpOption.Sack(List.copyOf(sack.blocks().subList(0, n)));
            candidate.add(fewer);
            if (TcpOptions.layoutLength(candidate) <= TcpOptions.MAX_SPACE) {
                return fewer;
            }
        }
        return null;
    }
}
