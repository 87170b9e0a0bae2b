package org.mptcp4j.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.base.Rng;

class DeadlineHeapTest {

    /** A connection stand-in: a name and whatever deadline it last asked for. */
    private static final class Conn extends DeadlineHeap.Node {
        final int id;

        Conn(int id) {
            this.id = id;
        }
    }

    @Test
    void emptyHeap_hasNoDeadline() {
        DeadlineHeap<Conn> heap = new DeadlineHeap<>();
        assertThat(heap.minDeadline()).isEqualTo(Nanos.NEVER);
        assertThat(heap.peek()).isNull();
        assertThat(heap.poll()).isNull();
    }

    @Test
    void rearmedEarlier_comesFirst_andNeverLeavesTheHeap() {
        DeadlineHeap<Conn> heap = new DeadlineHeap<>();
        Conn a = new Conn(1);
        Conn b = new Conn(2);
        heap.set(a, 100);
        heap.set(b, 200);
        heap.set(b, 50);
        assertThat(heap.peek()).isSameAs(b);
        heap.set(b, Nanos.NEVER);
        assertThat(heap.size()).isEqualTo(1);
        assertThat(heap.deadline(b)).isEqualTo(Nanos.NEVER);
        assertThat(heap.poll()).isSameAs(a);
        assertThat(heap.minDeadline()).isEqualTo(Nanos.NEVER);
    }

    /**
     * Random inserts, re-keys (earlier, later, equal, NEVER), removals and polls on up to 300
     * connections, checked after every operation against a plain map scanned for its minimum.
     */
    @Test
    void randomOperations_matchAScanOfEveryDeadline() {
        for (long seed = 1; seed <= 40; seed++) {
            Rng rng = Rng.seeded(seed);
            DeadlineHeap<Conn> heap = new DeadlineHeap<>();
            Map<Conn, Long> model = new HashMap<>();
            List<Conn> all = new ArrayList<>();
            int n = 1 + rng.nextInt(300);
            for (int i = 0; i < n; i++) {
                all.add(new Conn(i));
            }
            for (int op = 0; op < 3000; op++) {
                Conn c = all.get(rng.nextInt(n));
                int kind = rng.nextInt(10);
                String what = "seed " + seed + ", operation " + op;
                if (kind < 6) {
                    // Few distinct deadlines, so ties are common.
                    long d = rng.nextInt(8) == 0 ? Nanos.NEVER : rng.nextInt(50) * 1000L;
                    heap.set(c, d);
                    if (d == Nanos.NEVER) {
                        model.remove(c);
                    } else {
                        model.put(c, d);
                    }
                } else if (kind < 8) {
                    heap.remove(c);
                    model.remove(c);
                } else {
                    long expected = model.values().stream().mapToLong(Long::longValue).min().orElse(Nanos.NEVER);
                    Conn top = heap.poll();
                    if (expected == Nanos.NEVER) {
                        assertThat(top).as(what).isNull();
                    } else {
                        assertThat(model.get(top)).as(what + ": the polled connection's deadline").isEqualTo(expected);
                        model.remove(top);
                        assertThat(heap.deadline(top)).as(what).isEqualTo(Nanos.NEVER);
                    }
                }
                heap.checkInvariants();
                long min = model.values().stream().mapToLong(Long::longValue).min().orElse(Nanos.NEVER);
                assertThat(heap.minDeadline()).as(what + ": earliest deadline").isEqualTo(min);
                assertThat(heap.size()).as(what + ": connections queued").isEqualTo(model.size());
                for (Conn x : all) {
                    long want = model.getOrDefault(x, Nanos.NEVER);
                    if (heap.deadline(x) != want) {
                        fail(what + ": connection " + x.id + " queued for " + heap.deadline(x) + ", expected " + want);
                    }
                }
            }
        }
    }
}
