package org.mptcp4j.mptcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The names a user types (sysctl-style, CLI, socket option) and what they give. */
class SchedulerByNameTest {
    @Test
    void everyListedName_makesASchedulerOfThatName() {
        for (String name : Scheduler.NAMES) {
            assertThat(Scheduler.byName(name)).as(name).isPresent();
            assertThat(Scheduler.byName(name).orElseThrow().get().name()).isEqualTo(name);
        }
    }

    @Test
    void roundRobinWithSegmentsPerTurn_parsed_badCountsRefused() {
        assertThat(Scheduler.byName("roundrobin:4").orElseThrow().get().name()).isEqualTo("roundrobin:4");
        assertThat(Scheduler.byName(" RoundRobin:2 ")).isPresent();
        assertThat(Scheduler.byName("roundrobin:0")).isEmpty();
        assertThat(Scheduler.byName("roundrobin:x")).isEmpty();
        assertThat(Scheduler.byName("roundrobin:100000")).isEmpty();
    }

    @Test
    void unknownOrNullName_empty_andTheConfigRefusesIt() {
        assertThat(Scheduler.byName("fastest")).isEmpty();
        assertThat(Scheduler.byName(null)).isEmpty();
        assertThat(Scheduler.byName("minrtt").orElseThrow().get().name()).isEqualTo("default"); // Linux's old alias
        assertThatThrownBy(() -> MptcpConfig.defaults().withScheduler("fastest"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fastest");
    }

    @Test
    void eachConnectionGetsItsOwnInstance() {
        var factory = Scheduler.byName("ecf").orElseThrow();
        assertThat(factory.get()).isNotSameAs(factory.get()); // ECF and round-robin keep per-connection state
    }
}
