package org.mptcp4j.mptcp;

import java.util.List;
import org.mptcp4j.wire.IncomingOptions;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * The MPTCP options of one arriving segment, sorted by form (Linux {@code struct mptcp_options_received},
 * filled by {@code mptcp_get_options}). RFC 8684 section 3: a segment carries at most one option
 * of each subtype that matters here; a second one of the same kind is ignored.
 *
 * <p>Each subflow holds one and fills it again for every segment it receives ({@link #read}):
 * nearly every segment passes through here, and a new one each time was the largest object the
 * receive path made. Nothing keeps it past the segment's handling.
 */
final class MptcpOptionsIn {
    MptcpOption.MpCapable mpCapable;
    MptcpOption.MpJoinSyn joinSyn;
    MptcpOption.MpJoinSynAck joinSynAck;
    MptcpOption.MpJoinAck joinAck;
    /** The DSS: the segment's holder when it carries one, else null. */
    IncomingOptions dss;
    MptcpOption.AddAddr addAddr;
    MptcpOption.RemoveAddr removeAddr;
    MptcpOption.MpPrio mpPrio;
    MptcpOption.MpFail mpFail;
    MptcpOption.MpFastclose fastclose;
    MptcpOption.MpTcpRst tcpRst;
    /** Options of a subtype RFC 8684 does not define: ignored, counted. */
    int unknownSubtypes;
    /** MP_CAPABLE of a version other than 1: ignored (as Linux's parser ignores it), counted. */
    int badVersions;
    /** MPTCP options the decoder refused (kept as unknown options of kind 30): ignored, counted. */
    int malformed;
    /** Second options of a subtype already seen on the segment: ignored, counted. */
    int duplicates;
    /** The segment carried an MPTCP option, a malformed one included (the peer speaks MPTCP). */
    boolean any;

    /**
     * Forgets the last segment's options and sorts those of {@code seg}, whose first DSS is in
     * {@code fields} (a second one, in its list, is a duplicate); returns this holder.
     */
    MptcpOptionsIn read(TcpSegment seg, IncomingOptions fields) {
        clear();
        if (fields.hasDss()) {
            any = true;
            dss = fields;
        }
        List<TcpOption> options = seg.options();
        for (int i = 0; i < options.size(); i++) { // indexed: a for-each made an iterator per segment
            TcpOption o = options.get(i);
            if (o instanceof TcpOption.Unknown u && u.kind() == TcpOption.KIND_MPTCP) {
                any = true; // malformed (refused by the decoder), but the peer speaks MPTCP
                malformed++;
                continue;
            }
            if (!(o instanceof MptcpOption m)) {
                continue;
            }
            any = true;
            switch (m) {
                case MptcpOption.MpCapable c when c.version() != MptcpOption.VERSION_1 -> badVersions++;
                case MptcpOption.MpCapable c -> mpCapable = first(mpCapable, c);
                case MptcpOption.MpJoinSyn j -> joinSyn = first(joinSyn, j);
                case MptcpOption.MpJoinSynAck j -> joinSynAck = first(joinSynAck, j);
                case MptcpOption.MpJoinAck j -> joinAck = first(joinAck, j);
                case MptcpOption.Dss d -> duplicates++; // the first is in fields
                case MptcpOption.AddAddr a -> addAddr = first(addAddr, a);
                case MptcpOption.RemoveAddr r -> removeAddr = first(removeAddr, r);
                case MptcpOption.MpPrio p -> mpPrio = first(mpPrio, p);
                case MptcpOption.MpFail f -> mpFail = first(mpFail, f);
                case MptcpOption.MpFastclose f -> fastclose = first(fastclose, f);
                case MptcpOption.MpTcpRst r -> tcpRst = first(tcpRst, r);
                case MptcpOption.UnknownSubtype u -> unknownSubtypes++;
            }
        }
        return this;
    }

    private void clear() {
        mpCapable = null;
        joinSyn = null;
        joinSynAck = null;
        joinAck = null;
        dss = null;
        addAddr = null;
        removeAddr = null;
        mpPrio = null;
        mpFail = null;
        fastclose = null;
        tcpRst = null;
        unknownSubtypes = 0;
        badVersions = 0;
        malformed = 0;
        duplicates = 0;
        any = false;
    }

    /** {@code known} if the segment already had an option of this subtype (the new one is then ignored), else {@code o}. */
    private <T extends MptcpOption> T first(T known, T o) {
        if (known == null) {
            return o;
        }
        duplicates++;
        return known;
    }
}
