package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EventQueueTest {
    private static final EventHandler NOOP = (now, arg) -> { };

    private record Popped(long time, long seq, Object arg) {}

    /** Interleaves schedules and pops; returns everything popped, in order. */
    private static List<Popped> drive(EventQueue q, List<Integer> ops) {
        List<Popped> out = new ArrayList<>();
        long now = 0;
        for (int op : ops) {
            if (op < 0 && !q.isEmpty()) {
                q.pop();
                now = q.poppedTimeNanos();
                out.add(new Popped(now, q.poppedSeq(), q.poppedArg()));
            } else if (op >= 0) {
                q.schedule(now + op % 50, NOOP, op); // few distinct times: many ties
            }
        }
        while (!q.isEmpty()) {
            q.pop();
            out.add(new Popped(q.poppedTimeNanos(), q.poppedSeq(), q.poppedArg()));
        }
        return out;
    }

    @Property(tries = 300, seed = "20261125")
    void bothHeaps_popInTimeThenScheduleOrder(
            @ForAll @Size(max = 400) List<@IntRange(min = -40, max = 1000) Integer> ops) {
        for (Supplier<EventQueue> factory : List.<Supplier<EventQueue>>of(
                () -> new BinaryHeapQueue(4), () -> new QuaternaryHeapQueue(4))) {
            List<Popped> popped = drive(factory.get(), ops);
            for (int i = 1; i < popped.size(); i++) {
                Popped a = popped.get(i - 1);
                Popped b = popped.get(i);
                assertThat(a.time() < b.time() || (a.time() == b.time() && a.seq() < b.seq()))
                        .as("%s before %s", a, b).isTrue();
            }
            assertThat(popped).hasSize((int) ops.stream().filter(o -> o >= 0).count());
        }
        assertThat(drive(new BinaryHeapQueue(4), ops)).isEqualTo(drive(new QuaternaryHeapQueue(4), ops));
    }

    private record Expected(long time, long seq, EventHandler handler, Object arg) {}

    /**
     * Each pop hands back the handler and argument its event was scheduled with, against a plain
     * sorted list: the heaps move only (time, seq, slot) and leave handler and argument in a slot
     * that a freed event's successor reuses (keeping the handler, clearing the argument), so a
     * slot's earlier tenant must never show through. Few handlers, arguments often null, many ties,
     * the heap growing from 4 and a clear() on the way.
     */
    @Property(tries = 300, seed = "20261202")
    void bothHeaps_popTheHandlerAndArgumentOfEachEvent(
            @ForAll @Size(max = 400) List<@IntRange(min = -40, max = 1000) Integer> ops) {
        EventHandler[] handlers = {(now, arg) -> { }, (now, arg) -> { }, (now, arg) -> { }};
        for (Supplier<EventQueue> factory : List.<Supplier<EventQueue>>of(
                () -> new BinaryHeapQueue(4), () -> new QuaternaryHeapQueue(4))) {
            EventQueue q = factory.get();
            List<Expected> pending = new ArrayList<>();
            long now = 0;
            for (int i = 0; i < ops.size(); i++) {
                int op = ops.get(i);
                if (i == ops.size() / 2 && op % 7 == 0) {
                    q.clear();
                    pending.clear();
                } else if (op < 0 && !pending.isEmpty()) {
                    Expected first = pending.removeFirst();
                    assertThat(q.pop()).isSameAs(first.handler());
                    assertThat(q.poppedTimeNanos()).isEqualTo(first.time());
                    assertThat(q.poppedSeq()).isEqualTo(first.seq());
                    assertThat(q.poppedArg()).isSameAs(first.arg());
                    now = first.time();
                } else if (op >= 0) {
                    long time = now + op % 50;
                    EventHandler h = handlers[op % 3];
                    Object arg = op % 4 == 0 ? null : Integer.valueOf(op);
                    long seq = q.schedule(time, h, arg);
                    int at = 0;
                    while (at < pending.size() && pending.get(at).time() <= time) {
                        at++; // after every event of an earlier or equal time: a new seq is the largest
                    }
                    pending.add(at, new Expected(time, seq, h, arg));
                }
                assertThat(q.size()).isEqualTo(pending.size());
            }
        }
    }

    @Test
    void equalTimes_runInTheOrderTheyWereScheduled() {
        Simulation sim = new Simulation(1);
        List<String> ran = new ArrayList<>();
        sim.schedule(10, (now, arg) -> ran.add("first"), null);
        sim.schedule(5, (now, arg) -> {
            ran.add("early");
            sim.schedule(10, (n, a) -> ran.add("scheduled-later"), null);
        }, null);
        sim.schedule(10, (now, arg) -> ran.add("second"), null);

        sim.run();

        assertThat(ran).containsExactly("early", "first", "second", "scheduled-later");
        assertThat(sim.eventsProcessed()).isEqualTo(4);
    }

    /**
     * An event numbered by its scheduler (a packet from another partition of a
     * {@link ParallelSimulation}) runs after the queue-numbered events of its time, whenever it was
     * added, and such events among themselves by their numbers.
     */
    @Test
    void ownSeqs_runAfterQueueNumberedEventsOfTheSameTime_inTheirOrder() {
        Simulation sim = new Simulation(1);
        List<String> ran = new ArrayList<>();
        sim.schedule(10, EventQueue.FIRST_OWN_SEQ + 2, (now, arg) -> ran.add("own 2"), null);
        sim.schedule(10, EventQueue.FIRST_OWN_SEQ + 1, (now, arg) -> ran.add("own 1"), null);
        sim.schedule(5, (now, arg) -> sim.schedule(10, (n, a) -> ran.add("numbered, added later"), null), null);
        sim.schedule(10, (now, arg) -> ran.add("numbered"), null);

        sim.run();

        assertThat(ran).containsExactly("numbered", "numbered, added later", "own 1", "own 2");
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> new QuaternaryHeapQueue(4).schedule(10, EventQueue.FIRST_OWN_SEQ - 1, NOOP, null));
    }

    @Test
    void runUntil_stopsAtTheBoundaryAndSetsTheClock() {
        Simulation sim = new Simulation(1);
        List<Long> ran = new ArrayList<>();
        for (long t : new long[] {100, 200, 300}) {
            sim.schedule(t, (now, arg) -> ran.add(now), null);
        }

        sim.runUntil(200);
        assertThat(ran).containsExactly(100L, 200L);
        assertThat(sim.nowNanos()).isEqualTo(200);

        sim.runFor(50);
        assertThat(sim.nowNanos()).isEqualTo(250);
        assertThat(ran).hasSize(2);

        sim.run();
        assertThat(ran).containsExactly(100L, 200L, 300L);
    }

    @Test
    void runUntilCondition_stopsWhenItHoldsOrAtTheDeadline() {
        Simulation sim = new Simulation(1);
        List<Long> ran = new ArrayList<>();
        for (long t = 10; t <= 100; t += 10) {
            sim.schedule(t, (now, arg) -> ran.add(now), null);
        }

        assertThat(sim.runUntil(() -> ran.size() == 3, 1000)).isTrue();
        assertThat(sim.nowNanos()).isEqualTo(30);
        assertThat(sim.runUntil(() -> ran.size() == 99, 55)).isFalse();
        assertThat(ran).hasSize(5);
    }

    @Test
    void schedulingInThePast_isRefused() {
        Simulation sim = new Simulation(1);
        sim.runUntil(1000);
        org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                .isThrownBy(() -> sim.schedule(999, NOOP, null));
    }

    @Test
    void componentRngs_dependOnSeedAndNameOnly() {
        Simulation one = new Simulation(9);
        Simulation two = new Simulation(9);
        two.rng("other").nextLong();
        assertThat(one.rng("link:a->b").nextLong()).isEqualTo(two.rng("link:a->b").nextLong());
        assertThat(one.rng("link:a->b").nextLong()).isNotEqualTo(one.rng("link:b->a").nextLong());
        assertThat(new Simulation(10).rng("link:a->b").nextLong()).isNotEqualTo(one.rng("link:a->b").nextLong());
    }
}
