package io.kvstore.proxy.split;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.proxy.testing.LeakDetectionExtension;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class MgetMergerTest {

    private static final ByteBufAllocator ALLOC = ByteBufAllocator.DEFAULT;

    private static ByteBuf reply(String s) {
        return ALLOC.buffer().writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String mergeAndRelease(MgetMerger merger, ByteBuf... replies) {
        try {
            ByteBuf merged = merger.merge(ALLOC, replies);
            try {
                return merged.toString(StandardCharsets.ISO_8859_1);
            } finally {
                merged.release();
            }
        } finally {
            for (ByteBuf r : replies) {
                r.release();
            }
        }
    }

    @Test
    void valuesComeBackInTheClientsKeyOrder() {
        // MGET b a missing c a, split as fragment 0 = MGET b c and fragment 1 = MGET a missing a.
        MgetMerger merger = new MgetMerger(new int[] {0, 1, 1, 0, 1}, new int[] {0, 0, 1, 1, 2});
        String merged = mergeAndRelease(merger,
                reply("*2\r\n$1\r\n2\r\n$1\r\n3\r\n"),
                reply("*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n1\r\n"));
        assertEquals("*5\r\n$1\r\n2\r\n$1\r\n1\r\n$-1\r\n$1\r\n3\r\n$1\r\n1\r\n", merged);
    }

    @Test
    void anErrorFromOneGroupIsTheAnswer() {
        MgetMerger merger = new MgetMerger(new int[] {0, 1}, new int[] {0, 0});
        assertEquals("-ERR down\r\n", mergeAndRelease(merger, reply("*1\r\n$1\r\nx\r\n"), reply("-ERR down\r\n")));
    }

    /**
     * A group answering with fewer values than it was asked for makes merge throw (Gather turns
     * that into an error reply); the output buffer allocated before the throw must be released.
     */
    @Test
    void aShortReplyThrowsWithoutLeaking() {
        MgetMerger merger = new MgetMerger(new int[] {0, 1, 0}, new int[] {0, 0, 1});
        ByteBuf[] replies = {reply("*1\r\n$1\r\na\r\n"), reply("*1\r\n$1\r\nb\r\n")};
        try {
            assertThrows(RuntimeException.class, () -> merger.merge(ALLOC, replies));
        } finally {
            for (ByteBuf r : replies) {
                r.release();
            }
        }
        assertEquals(List.of(), LeakDetectionExtension.detectLeaks());
    }
}
