package io.kvstore.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlotMapTest {

    private static List<Group> groups(int n) {
        List<Group> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Group.of("g" + i, new HostPort("10.0.0." + (i % 250 + 1), 6379 + i)));
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 5, 7, 10, 100, 1000, 16383, 16384, 20000})
    void evenlySpreadCoversEverySlotContiguouslyAndBalanced(int n) {
        List<Group> groups = groups(n);
        SlotMap map = SlotMap.evenlySpread(3, groups);
        assertEquals(3, map.epoch());
        assertEquals(groups, map.groups());

        int[] count = new int[n];
        int previous = 0;
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            int g = map.groupIndex(slot);
            assertTrue(g >= 0 && g < n, "slot " + slot + " owned by " + g);
            if (n <= SlotHash.SLOTS) {
                assertTrue(g == previous || g == previous + 1, "contiguous, in group order, at slot " + slot);
            } else {
                assertTrue(g >= previous, "in group order at slot " + slot);
            }
            assertSame(groups.get(g), map.groupOf(slot));
            count[g]++;
            previous = g;
        }
        assertEquals(0, map.groupIndex(0));
        int min = Integer.MAX_VALUE;
        int max = 0;
        int total = 0;
        for (int c : count) {
            min = Math.min(min, c);
            max = Math.max(max, c);
            total += c;
        }
        assertEquals(SlotHash.SLOTS, total);
        if (n <= SlotHash.SLOTS) {
            assertEquals(n - 1, map.groupIndex(SlotHash.SLOTS - 1));
            assertTrue(min >= 1, "every group owns a slot");
            assertTrue(max - min <= 1, "balanced within one slot: min " + min + " max " + max);
        } else {
            assertTrue(max <= 1, "more groups than slots: at most one slot each");
        }
    }

    @Test
    void evenlySpreadOverThreeGroups() {
        SlotMap map = SlotMap.evenlySpread(1, groups(3));
        Map<String, List<int[]>> ranges = map.rangesByGroup();
        assertEquals(3, ranges.size());
        assertArrayEquals(new int[] {0, 5461}, ranges.get("g0").get(0));
        assertArrayEquals(new int[] {5462, 10922}, ranges.get("g1").get(0));
        assertArrayEquals(new int[] {10923, 16383}, ranges.get("g2").get(0));
        ranges.values().forEach(r -> assertEquals(1, r.size()));
    }

    @Test
    void rangesByGroupOfAnExplicitMap() {
        short[] owner = new short[SlotHash.SLOTS];
        // g0: 0..99 and 200..16383, g1: 100..199 and slot 16383 is g2; g3 owns nothing.
        for (int s = 100; s < 200; s++) {
            owner[s] = 1;
        }
        owner[SlotHash.SLOTS - 1] = 2;
        SlotMap map = SlotMap.of(9, groups(4), owner);
        Map<String, List<int[]>> ranges = map.rangesByGroup();
        assertEquals(4, ranges.size());
        assertEquals(2, ranges.get("g0").size());
        assertArrayEquals(new int[] {0, 99}, ranges.get("g0").get(0));
        assertArrayEquals(new int[] {200, 16382}, ranges.get("g0").get(1));
        assertEquals(1, ranges.get("g1").size());
        assertArrayEquals(new int[] {100, 199}, ranges.get("g1").get(0));
        assertArrayEquals(new int[] {16383, 16383}, ranges.get("g2").get(0));
        assertEquals(List.of(), ranges.get("g3"));
    }

    @Test
    void rangesCoverEverySlotOnce() {
        short[] owner = new short[SlotHash.SLOTS];
        for (int s = 0; s < owner.length; s++) {
            owner[s] = (short) ((s * 7 + s / 13) % 5);
        }
        SlotMap map = SlotMap.of(1, groups(5), owner);
        int[] seen = new int[SlotHash.SLOTS];
        map.rangesByGroup().forEach((id, list) -> {
            for (int[] r : list) {
                for (int s = r[0]; s <= r[1]; s++) {
                    seen[s]++;
                    assertEquals(id, map.groupOf(s).id());
                }
            }
        });
        for (int s = 0; s < seen.length; s++) {
            assertEquals(1, seen[s], "slot " + s);
        }
    }

    @Test
    void ofCopiesTheOwnerArray() {
        short[] owner = new short[SlotHash.SLOTS];
        SlotMap map = SlotMap.of(1, groups(2), owner);
        owner[5] = 1;
        assertEquals(0, map.groupIndex(5), "later writes to the caller's array do not leak in");
        short[] copy = map.ownerArray();
        copy[6] = 1;
        assertEquals(0, map.groupIndex(6), "ownerArray() is a copy");
    }

    @Test
    void groupsAreImmutable() {
        List<Group> groups = new ArrayList<>(groups(2));
        SlotMap map = SlotMap.evenlySpread(1, groups);
        groups.add(Group.of("late", new HostPort("h", 1)));
        assertEquals(2, map.groups().size());
        assertThrows(UnsupportedOperationException.class, () -> map.groups().add(Group.of("x", new HostPort("h", 2))));
    }

    @Test
    void validationErrors() {
        assertThrows(IllegalArgumentException.class, () -> SlotMap.evenlySpread(1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.evenlySpread(1, groups(Short.MAX_VALUE + 1)));
        List<Group> duplicate = List.of(Group.of("a", new HostPort("h", 1)), Group.of("a", new HostPort("h", 2)));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.evenlySpread(1, duplicate));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.of(1, groups(2), new short[SlotHash.SLOTS - 1]));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.of(1, groups(2), new short[SlotHash.SLOTS + 1]));
        short[] unknown = new short[SlotHash.SLOTS];
        unknown[100] = 2;
        assertThrows(IllegalArgumentException.class, () -> SlotMap.of(1, groups(2), unknown));
        short[] negative = new short[SlotHash.SLOTS];
        negative[0] = -1;
        assertThrows(IllegalArgumentException.class, () -> SlotMap.of(1, groups(2), negative));
        assertThrows(IllegalArgumentException.class, () -> SlotMap.of(1, List.of(), new short[SlotHash.SLOTS]));
    }

    @Test
    void equalityIsByEpochGroupsAndOwners() {
        SlotMap a = SlotMap.evenlySpread(1, groups(3));
        SlotMap b = SlotMap.evenlySpread(1, groups(3));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, SlotMap.evenlySpread(2, groups(3)));
        assertNotEquals(a, SlotMap.evenlySpread(1, groups(2)));
        short[] moved = a.ownerArray();
        moved[0] = 1;
        assertNotEquals(a, SlotMap.of(1, groups(3), moved));
        assertEquals(a, SlotMap.of(1, groups(3), a.ownerArray()));
    }

    @Test
    void groupValidation() {
        HostPort m = new HostPort("m", 1);
        assertThrows(IllegalArgumentException.class, () -> Group.of("", m));
        assertThrows(NullPointerException.class, () -> Group.of(null, m));
        assertThrows(NullPointerException.class, () -> Group.of("g", null));
        assertThrows(IllegalArgumentException.class, () -> new Group("g", m, List.of(m), null));
        assertEquals(BackendAuth.NONE, new Group("g", m, List.of(new HostPort("r", 2)), null).auth());
    }
}
