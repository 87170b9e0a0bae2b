package org.mptcp4j.sim;

import org.mptcp4j.sim.traffic.CountingSink;
import org.mptcp4j.sim.traffic.UdpSource;
import org.mptcp4j.link.LinkSpec;

/** Test fixture: host a (10.0.0.1) sends over one link to host b (10.0.0.2), which runs a sink. */
final class TwoHosts {
    static final String A = "10.0.0.1";
    static final String B = "10.0.0.2";

    final Simulation sim;
    final Host a;
    final Host b;
    final Link link;
    final CountingSink sink = new CountingSink().recordArrivals();

    TwoHosts(long seed, LinkSpec spec) {
        sim = new Simulation(seed);
        a = sim.host("a", A);
        b = sim.host("b", B);
        link = sim.link(a, b, spec);
        a.route("0.0.0.0/0", link);
        b.attach(sink);
    }

    UdpSource.Builder source() {
        return UdpSource.from(A).to(B);
    }

    TwoHosts send(UdpSource.Builder source) {
        a.attach(source.build());
        return this;
    }
}
