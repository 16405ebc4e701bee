package io.kvstore.proxy.hotkeys;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code k} items with the largest scores offered so far: a min-heap of at most {@code k}
 * entries (the smallest on top, the one a newcomer must beat) and an index from key to entry, so a
 * key already held is updated in place. Scores only grow between {@link #clear}s (they are a
 * sketch's running estimates), so an entry only ever sinks away from the top. Not thread-safe:
 * owned by one event loop ({@link KeySampler}).
 */
final class TopK {

    /** One held key: its bytes, hash and latest score. */
    static final class Entry {
        final Key key;
        long score;
        int slot;

        Entry(Key key, long score) {
            this.key = key;
            this.score = score;
        }
    }

    private final int k;
    private final Entry[] heap;
    private final Map<Key, Entry> index;
    private int size;

    TopK(int k) {
        this.k = k;
        this.heap = new Entry[k];
        this.index = new HashMap<>(k * 2);
    }

    /** Records that {@code key} now scores {@code score} (a value not below any it had before). */
    void offer(Key key, long score) {
        Entry e = index.get(key);
        if (e != null) {
            e.score = score;
            down(e.slot);
        } else if (size < k) {
            e = new Entry(key, score);
            index.put(key, e);
            heap[size] = e;
            e.slot = size++;
            up(e.slot);
        } else if (score > heap[0].score) {
            index.remove(heap[0].key);
            e = new Entry(key, score);
            index.put(key, e);
            heap[0] = e;
            e.slot = 0;
            down(0);
        }
    }

    /** The entries held, in no order. */
    List<Entry> entries() {
        List<Entry> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            out.add(heap[i]);
        }
        return out;
    }

    void clear() {
        java.util.Arrays.fill(heap, null);
        index.clear();
        size = 0;
    }

    private void up(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (heap[parent].score <= heap[i].score) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void down(int i) {
        while (true) {
            int smallest = i;
            for (int child = 2 * i + 1; child <= 2 * i + 2 && child < size; child++) {
                if (heap[child].score < heap[smallest].score) {
                    smallest = child;
                }
            }
            if (smallest == i) {
                return;
            }
            swap(i, smallest);
            i = smallest;
        }
    }

    private void swap(int a, int b) {
        Entry t = heap[a];
        heap[a] = heap[b];
        heap[b] = t;
        heap[a].slot = a;
        heap[b].slot = b;
    }
}
