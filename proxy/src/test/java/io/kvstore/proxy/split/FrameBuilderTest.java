package io.kvstore.proxy.split;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.resp.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameBuilderTest {

    private static final UnpooledByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    @Test
    void fragmentKeepsItsKeysWithTheirValuesInClientOrder() {
        Request mset = request("MSET", "k1", "v1", "k2", "v2", "k3", "v3");
        try {
            int[] keyFragment = {0, 1, 0};
            assertEquals("*5\r\n$4\r\nMSET\r\n$2\r\nk1\r\n$2\r\nv1\r\n$2\r\nk3\r\n$2\r\nv3\r\n",
                    text(FrameBuilder.fragment(ALLOC, mset, 1, 2, keyFragment, 0, 2)));
            assertEquals("*3\r\n$4\r\nMSET\r\n$2\r\nk2\r\n$2\r\nv2\r\n",
                    text(FrameBuilder.fragment(ALLOC, mset, 1, 2, keyFragment, 1, 1)));
        } finally {
            mset.release();
        }
    }

    @Test
    void fragmentOfSingleArgumentKeys() {
        Request mget = request("mget", "a", "bb", "", "dddddddddd");
        try {
            int[] keyFragment = {1, 0, 1, 1};
            assertEquals("*4\r\n$4\r\nmget\r\n$1\r\na\r\n$0\r\n\r\n$10\r\ndddddddddd\r\n",
                    text(FrameBuilder.fragment(ALLOC, mget, 1, 1, keyFragment, 1, 3)));
            assertEquals("*2\r\n$4\r\nmget\r\n$2\r\nbb\r\n", text(FrameBuilder.fragment(ALLOC, mget, 1, 1, keyFragment, 0, 1)));
        } finally {
            mget.release();
        }
    }

    private static Request request(String... words) {
        List<byte[]> list = new ArrayList<>();
        for (String w : words) {
            list.add(w.getBytes(StandardCharsets.US_ASCII));
        }
        return Request.of(ALLOC, list);
    }

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }
}
