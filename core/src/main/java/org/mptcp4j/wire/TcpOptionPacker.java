package org.mptcp4j.wire;

import java.util.ArrayList;
import java.util.List;

/**
 * Chooses which options fit the 40-byte option space, in the caller's order of preference, with the
 * alignment padding {@link TcpOptions} adds (e.g. timestamps as NOP, NOP, TS). An option that does
 * not fit is skipped and the next ones are still tried, as Linux drops an MPTCP option rather than
 * SACK blocks or timestamps when space runs out.
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
                notFitted.add(o);
            }
        }
        return new PackResult(packed, notFitted, length);
    }
}
