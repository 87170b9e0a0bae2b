package org.mptcp4j.sim.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.stack.StackConfig;

/**
 * A TCP stack moves its timer deadline later on nearly every ACK. The host schedules a wake-up
 * event only for an earlier deadline, so a bulk transfer spends few events on wake-ups that find
 * nothing to do.
 */
class WakeupEventsTest {

    @Test
    void bulk20MB_fewWakeupEventsAreStale() {
        LinkSpec link = LinkSpec.of(100_000_000, Duration.ofMillis(10));
        BulkScenario s = new BulkScenario(1, link, link, StackConfig.defaults(), 20L << 20);

        assertThat(s.run(Nanos.ofSeconds(60))).as("%s", s).isTrue();

        long events = s.sim.eventsProcessed();
        long stale = s.a.wakeupEvents() - s.a.wakeups() + s.b.wakeupEvents() - s.b.wakeups();
        System.out.printf("20 MB bulk over 100 Mbit/s, 20 ms RTT: %d events, %d wake-up events (%d stale), %d wake-ups%n",
                events, s.a.wakeupEvents() + s.b.wakeupEvents(), stale, s.a.wakeups() + s.b.wakeups());
        // Rescheduling on every moved deadline made about a quarter of all events stale.
        assertThat(stale).as("stale wake-up events of %d", events).isLessThan(events / 50);
    }
}
