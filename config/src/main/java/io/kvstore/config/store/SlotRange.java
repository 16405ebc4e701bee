package io.kvstore.config.store;

import io.kvstore.config.SlotHash;

/**
 * Slots {@code start..end} (both included) owned by one group. Immutable value; any thread.
 *
 * <p>Invariant: {@code 0 <= start <= end < 16384}; the group id is non-empty.
 */
public record SlotRange(int start, int end, String groupId) {

    public SlotRange {
        if (start < 0 || end >= SlotHash.SLOTS || start > end) {
            throw new IllegalArgumentException("bad slot range " + start + "-" + end
                    + " (slots are 0.." + (SlotHash.SLOTS - 1) + ", start <= end)");
        }
        if (groupId == null || groupId.isEmpty()) {
            throw new IllegalArgumentException("slot range without a group");
        }
    }

    public int size() {
        return end - start + 1;
    }

    /**
     * Parses {@code N} or {@code A-B} (the group id is supplied separately), as typed on the
     * command line.
     */
    public static SlotRange parse(String text, String groupId) {
        String s = text.trim();
        int dash = s.indexOf('-');
        try {
            if (dash < 0) {
                int slot = Integer.parseInt(s);
                return new SlotRange(slot, slot, groupId);
            }
            return new SlotRange(Integer.parseInt(s.substring(0, dash).trim()),
                    Integer.parseInt(s.substring(dash + 1).trim()), groupId);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a slot or a range like 0-4095, got '" + text + "'");
        }
    }

    @Override
    public String toString() {
        return (start == end ? Integer.toString(start) : start + "-" + end) + "->" + groupId;
    }
}
