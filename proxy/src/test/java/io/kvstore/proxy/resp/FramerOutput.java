package io.kvstore.proxy.resp;

import static io.kvstore.proxy.resp.FramerInput.buffer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * What the framers emit, for their tests and fuzz tests: each chunk is written as one read (a
 * buffer of the channel's allocator), what comes out is checked (live, arguments inside the
 * frame), copied out as values and released once, so two framings can be compared with
 * {@code equals}. That each frame carried exactly the one reference released here is checked
 * over the whole channel, by {@link BufferLedger} or {@link FuzzChannel}: per frame it cannot be
 * under every allocator, since an adaptive buffer's slices share the read buffer's count and
 * {@code release()} returns true only for the last of them. Stateless.
 */
final class FramerOutput {

    /** What the request framer emitted, copied out so the buffers can be released at once. */
    sealed interface Out permits Req, Err {
    }

    /** A request: its arguments and its whole frame, as ISO-8859-1 text so any byte round-trips. */
    record Req(List<String> args, String frame) implements Out {
    }

    /** A protocol error, with its message. */
    record Err(String message) implements Out {
    }

    private FramerOutput() {
    }

    /** Writes each chunk into {@code ch} (a {@link RequestFramer}'s) as its own read; what came out, released. */
    static List<Out> requests(EmbeddedChannel ch, List<byte[]> chunks) {
        return feed(ch, chunks, FramerOutput::drainRequests);
    }

    private static <T> List<T> feed(EmbeddedChannel ch, List<byte[]> chunks, BiConsumer<EmbeddedChannel, List<T>> drain) {
        List<T> out = new ArrayList<>();
        for (byte[] chunk : chunks) {
            ch.writeInbound(buffer(ch.alloc(), chunk, 0, chunk.length));
            drain.accept(ch, out);
        }
        return out;
    }

    static void drainRequests(EmbeddedChannel ch, List<Out> out) {
        for (Object msg; (msg = ch.readInbound()) != null; ) {
            if (msg instanceof Request r) {
                out.add(copyAndRelease(r));
            } else if (msg instanceof ProtocolError e) {
                out.add(new Err(e.message()));
            } else {
                fail("unexpected message " + msg);
            }
        }
    }

    private static Req copyAndRelease(Request r) {
        try {
            assertTrue(r.refCnt() > 0, "a request is handed over live");
            ByteBuf frame = r.frame();
            List<String> args = new ArrayList<>();
            for (int i = 0; i < r.argCount(); i++) {
                int off = r.argOffset(i);
                int len = r.argLength(i);
                assertTrue(off >= frame.readerIndex() && off + len <= frame.writerIndex(), "argument " + i + " inside the frame");
                // Every argument is preceded by its "$len\r\n" header and followed by CRLF, inside the frame.
                assertEquals('\r', frame.getByte(off + len));
                assertEquals('\n', frame.getByte(off + len + 1));
                assertEquals('\n', frame.getByte(off - 1));
                args.add(new String(r.argBytes(i), StandardCharsets.ISO_8859_1));
            }
            return new Req(List.copyOf(args), frame.toString(StandardCharsets.ISO_8859_1));
        } finally {
            r.release();
        }
    }

    /** Writes each chunk into {@code ch} (a {@link ReplyFramer}'s) as one read; the text of each reply, released. */
    static List<String> replies(EmbeddedChannel ch, List<byte[]> chunks) {
        return feed(ch, chunks, FramerOutput::drainReplies);
    }

    static void drainReplies(EmbeddedChannel ch, List<String> out) {
        for (ByteBuf reply; (reply = ch.readInbound()) != null; ) {
            try {
                assertTrue(reply.refCnt() > 0, "a reply is handed over live");
                out.add(reply.toString(StandardCharsets.ISO_8859_1));
            } finally {
                reply.release();
            }
        }
    }
}
