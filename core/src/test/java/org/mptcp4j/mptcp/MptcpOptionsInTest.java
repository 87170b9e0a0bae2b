package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.OptionalLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.mptcp4j.wire.IncomingOptions;
import org.mptcp4j.wire.MptcpOption;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;
import org.mptcp4j.wire.WireArbitraries;

/**
 * A subflow's holder, filled again for each segment ({@link MptcpOptionsIn#read}), sorts a
 * segment's MPTCP options as a new holder does, whatever the segment before it left there, and
 * as sorting the records did before the first DSS was held apart as fields: duplicates, bad
 * versions and refused options included.
 */
class MptcpOptionsInTest {

    @Property(tries = 2000, seed = "20261202")
    void read_reusedHolder_equalsNewHolder(@ForAll("options") List<TcpOption> before, @ForAll("options") List<TcpOption> options) {
        MptcpOptionsIn reused = new MptcpOptionsIn();
        IncomingOptions reusedFields = new IncomingOptions();
        reused.read(reusedFields.take(segment(before)), reusedFields);
        reused.read(reusedFields.take(segment(options)), reusedFields);
        IncomingOptions freshFields = new IncomingOptions();
        MptcpOptionsIn fresh = new MptcpOptionsIn().read(freshFields.take(segment(options)), freshFields);
        assertThat(fields(reused)).as("%s after %s", options, before).isEqualTo(fields(fresh));
        assertThat(fields(fresh)).as("%s", options).isEqualTo(sortedAsRecords(options));
    }

    /**
     * What the holder must hold: the first option of each subtype, counted as the record-only
     * sorting counted them before the DSS was held apart as fields.
     */
    private static List<Object> sortedAsRecords(List<TcpOption> options) {
        MptcpOption[] first = new MptcpOption[11];
        int unknown = 0;
        int badVersions = 0;
        int malformed = 0;
        int duplicates = 0;
        boolean any = false;
        for (TcpOption o : options) {
            if (o instanceof TcpOption.Unknown u && u.kind() == TcpOption.KIND_MPTCP) {
                any = true;
                malformed++;
            } else if (o instanceof MptcpOption.UnknownSubtype) {
                any = true;
                unknown++;
            } else if (o instanceof MptcpOption.MpCapable c && c.version() != MptcpOption.VERSION_1) {
                any = true;
                badVersions++;
            } else if (o instanceof MptcpOption m) {
                any = true;
                int k = SUBTYPES.indexOf(m.getClass());
                if (first[k] == null) {
                    first[k] = m;
                } else {
                    duplicates++;
                }
            }
        }
        List<Object> out = new java.util.ArrayList<>(Arrays.asList((Object[]) first));
        out.addAll(List.of(unknown, badVersions, malformed, duplicates, any));
        return out;
    }

    private static final List<Class<?>> SUBTYPES = List.of(MptcpOption.MpCapable.class, MptcpOption.MpJoinSyn.class,
            MptcpOption.MpJoinSynAck.class, MptcpOption.MpJoinAck.class, MptcpOption.Dss.class, MptcpOption.AddAddr.class,
            MptcpOption.RemoveAddr.class, MptcpOption.MpPrio.class, MptcpOption.MpFail.class, MptcpOption.MpFastclose.class,
            MptcpOption.MpTcpRst.class);

    @Provide
    Arbitrary<List<TcpOption>> options() {
        // MPTCP options twice as often as the others, refused ones (kind 30 kept as Unknown) and an
        // MP_CAPABLE of version 0 among them.
        Arbitrary<TcpOption> refused = Arbitraries.just(new TcpOption.Unknown(TcpOption.KIND_MPTCP, new byte[] {0x20}));
        Arbitrary<TcpOption> version0 = Arbitraries.just(new MptcpOption.MpCapable(0, 0x81,
                OptionalLong.empty(), OptionalLong.empty(), OptionalInt.empty(), OptionalInt.empty()));
        return Arbitraries.frequencyOf(
                Tuple.of(4, WireArbitraries.tcpOption()),
                Tuple.of(4, WireArbitraries.mptcpOption().map(o -> (TcpOption) o)),
                Tuple.of(1, refused), Tuple.of(1, version0)).list().ofMaxSize(5);
    }

    private static TcpSegment segment(List<TcpOption> options) {
        return new TcpSegment(1, 2, 3, 4, 0x10, 5, 0, options, ByteBuffer.allocate(0));
    }

    private static List<Object> fields(MptcpOptionsIn in) {
        return Arrays.asList(in.mpCapable, in.joinSyn, in.joinSynAck, in.joinAck, in.dss == null ? null : in.dss.dssOption(), in.addAddr,
                in.removeAddr, in.mpPrio,
                in.mpFail, in.fastclose, in.tcpRst, in.unknownSubtypes, in.badVersions, in.malformed, in.duplicates, in.any);
    }
}
