package org.mptcp4j.sim.mptcp;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.mptcp4j.sim.Endpoint;
import org.mptcp4j.sim.HostContext;
import org.mptcp4j.wire.DecodeResult;
import org.mptcp4j.wire.TcpFlags;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpPacket;
import org.mptcp4j.wire.TcpPackets;
import org.mptcp4j.wire.TcpSegment;

/**
 * A middlebox in front of a host's stack: each TCP packet that reaches the host is decoded and
 * handed to a {@link Rule}, which lets it through, rewrites it (re-encoded with fresh checksums,
 * so the stack sees a well-formed packet an on-path attacker or a broken middlebox could have
 * made), or drops it. It can also put packets of its own on the host's links ({@link #inject}).
 */
final class Tamper implements Endpoint {

    /** What becomes of one inbound TCP packet: the packet itself, another one, or null to drop it. */
    @FunctionalInterface
    interface Rule {
        TcpPacket apply(long nowNanos, TcpPacket packet);
    }

    private final Endpoint stack;
    private Rule rule = (now, p) -> p;
    private HostContext host;

    Tamper(Endpoint stack) {
        this.stack = stack;
    }

    Tamper rule(Rule value) {
        rule = value;
        return this;
    }

    /**
     * Once {@code armed[0]} is set, replaces the next data segment to {@code address} with a RST for
     * its 4-tuple (a NAT that forgot the mapping, or any middlebox resetting a subflow), disarms,
     * and counts it in {@code resets[0]}.
     */
    Tamper resetNextDataSegmentTo(String address, boolean[] armed, int[] resets) {
        return rule((now, p) -> {
            if (!armed[0] || !p.ip().destination().getHostAddress().equals(address) || p.tcp().has(TcpFlags.SYN)
                    || p.tcp().payloadLength() == 0) {
                return p;
            }
            armed[0] = false;
            resets[0]++;
            return resetInPlaceOf(p);
        });
    }

    /**
     * A NAT that forgot a mapping: once {@code armed[0]} is set, the next data segment to
     * {@code address} names the flow, and that segment and every later one of the flow become RSTs
     * for its 4-tuple ({@code armed[0]} is cleared at the first). Every one of them, not just the
     * first: a RST whose sequence number is not RCV.NXT (the segment it replaces came after a loss)
     * only draws a challenge ACK (RFC 5961 section 3.2), and the NAT answers the next segment again.
     */
    Tamper forgetFlowTo(String address, boolean[] armed) {
        int[] ports = {-1, -1};
        return rule((now, p) -> {
            boolean ofFlow = p.tcp().srcPort() == ports[0] && p.tcp().dstPort() == ports[1];
            if (!ofFlow && (!armed[0] || !p.ip().destination().getHostAddress().equals(address)
                    || p.tcp().has(TcpFlags.SYN) || p.tcp().payloadLength() == 0)) {
                return p;
            }
            armed[0] = false;
            ports[0] = p.tcp().srcPort();
            ports[1] = p.tcp().dstPort();
            return resetInPlaceOf(p);
        });
    }

    /** A RST for {@code p}'s 4-tuple at its sequence number, as a middlebox sends one in its place. */
    private static TcpPacket resetInPlaceOf(TcpPacket p) {
        return new TcpPacket(p.ip(), new TcpSegment(p.tcp().srcPort(), p.tcp().dstPort(), p.tcp().seq(), 0, TcpFlags.RST,
                0, 0, List.of(), TcpSegment.EMPTY));
    }

    /** Sends {@code packet} from this host, as if its stack had. */
    void inject(TcpPacket packet) {
        host.send(ByteBuffer.wrap(TcpPackets.toBytes(packet.ip(), packet.tcp())));
    }

    /**
     * {@code p} with each option replaced by what {@code f} makes of it; {@code p} itself when
     * {@code f} returns every option unchanged.
     */
    static TcpPacket mapOptions(TcpPacket p, UnaryOperator<TcpOption> f) {
        List<TcpOption> out = new ArrayList<>(p.tcp().options().size());
        boolean changed = false;
        for (TcpOption o : p.tcp().options()) {
            TcpOption n = f.apply(o);
            changed |= n != o;
            out.add(n);
        }
        return changed ? new TcpPacket(p.ip(), p.tcp().withOptions(out)) : p;
    }

    @Override
    public void attach(HostContext h) {
        host = h;
        stack.attach(h);
    }

    @Override
    public void onPacket(long nowNanos, ByteBuffer ipPacket) {
        if (!(TcpPackets.decode(ipPacket.duplicate()) instanceof DecodeResult.Ok<TcpPacket> ok)) {
            stack.onPacket(nowNanos, ipPacket);
            return;
        }
        TcpPacket in = ok.value();
        TcpPacket out = rule.apply(nowNanos, in);
        if (out == in) {
            stack.onPacket(nowNanos, ipPacket);
        } else if (out != null) {
            stack.onPacket(nowNanos, ByteBuffer.wrap(TcpPackets.toBytes(out.ip(), out.tcp())));
        }
    }

    @Override
    public void onWakeup(long nowNanos) {
        stack.onWakeup(nowNanos);
    }
}
