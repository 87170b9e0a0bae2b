package org.mptcp4j.mptcp;

import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * The MPTCP options of one arriving segment, sorted by form (Linux {@code struct mptcp_options_received},
 * filled by {@code mptcp_get_options}). RFC 8684 section 3: a segment carries at most one option
 * of each subtype that matters here; a second one of the same kind is ignored.
 */
final class MptcpOptionsIn {
    MptcpOption.MpCapable mpCapable;
    MptcpOption.MpJoinSyn joinSyn;
    MptcpOption.MpJoinSynAck joinSynAck;
    MptcpOption.MpJoinAck joinAck;
    MptcpOption.Dss dss;
    MptcpOption.AddAddr addAddr;
    MptcpOption.RemoveAddr removeAddr;
    MptcpOption.MpPrio mpPrio;
    MptcpOption.MpFail mpFail;
    MptcpOption.MpFastclose fastclose;
    MptcpOption.MpTcpRst tcpRst;
    boolean any;

    static MptcpOptionsIn of(TcpSegment seg) {
        MptcpOptionsIn in = new MptcpOptionsIn();
        for (TcpOption o : seg.options()) {
            if (!(o instanceof MptcpOption m)) {
                continue;
            }
            in.any = true;
            switch (m) {
                case MptcpOption.MpCapable c -> in.mpCapable = in.mpCapable == null ? c : in.mpCapable;
                case MptcpOption.MpJoinSyn j -> in.joinSyn = in.joinSyn == null ? j : in.joinSyn;
                case MptcpOption.MpJoinSynAck j -> in.joinSynAck = in.joinSynAck == null ? j : in.joinSynAck;
                case MptcpOption.MpJoinAck j -> in.joinAck = in.joinAck == null ? j : in.joinAck;
                case MptcpOption.Dss d -> in.dss = in.dss == null ? d : in.dss;
                case MptcpOption.AddAddr a -> in.addAddr = in.addAddr == null ? a : in.addAddr;
                case MptcpOption.RemoveAddr r -> in.removeAddr = in.removeAddr == null ? r : in.removeAddr;
                case MptcpOption.MpPrio p -> in.mpPrio = in.mpPrio == null ? p : in.mpPrio;
                case MptcpOption.MpFail f -> in.mpFail = in.mpFail == null ? f : in.mpFail;
                case MptcpOption.MpFastclose f -> in.fastclose = in.fastclose == null ? f : in.fastclose;
                case MptcpOption.MpTcpRst r -> in.tcpRst = in.tcpRst == null ? r : in.tcpRst;
                case MptcpOption.UnknownSubtype u -> { }
            }
        }
        return in;
    }

    /** Whether the segment carries an MP_CAPABLE or MP_JOIN of any form. */
    static boolean hasMpCapable(TcpSegment seg) {
        for (TcpOption o : seg.options()) {
            if (o instanceof MptcpOption.MpCapable) {
                return true;
            }
        }
        return false;
    }

    static MptcpOption.MpJoinSyn joinSynOf(TcpSegment seg) {
        for (TcpOption o : seg.options()) {
            if (o instanceof MptcpOption.MpJoinSyn j) {
                return j;
            }
        }
        return null;
    }
}
