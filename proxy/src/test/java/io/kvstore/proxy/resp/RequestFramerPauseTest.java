package io.kvstore.proxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RequestFramer#paused}: a request that pauses the client is the last one cut from what
 * was read; the rest stays buffered until {@link RequestFramer#cutBuffered}, or until the client
 * shuts its sending side, when everything left is cut.
 */
class RequestFramerPauseTest {

    private static final String GETS = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n".repeat(5);

    /** Takes requests like a session whose reading stops after {@code pauseAfter} of them. */
    private static final class Taker extends ChannelInboundHandlerAdapter {
        final RequestFramer framer;
        final List<String> names = new ArrayList<>();
        final int pauseAfter;

        Taker(RequestFramer framer, int pauseAfter) {
            this.framer = framer;
            this.pauseAfter = pauseAfter;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Request r = (Request) msg;
            names.add(r.frame().toString(StandardCharsets.US_ASCII));
            r.release();
            if (names.size() == pauseAfter) {
                framer.paused(true);
            }
        }
    }

    @Test
    void aPauseStopsCuttingAtTheRequestThatCausedItAndResumeCutsTheRest() throws Exception {
        RequestFramer framer = new RequestFramer(FramerLimits.DEFAULTS);
        Taker taker = new Taker(framer, 2);
        EmbeddedChannel ch = new EmbeddedChannel(framer, taker);
        ch.writeInbound(Unpooled.copiedBuffer(GETS, StandardCharsets.US_ASCII));
        assertEquals(2, taker.names.size(), "nothing cut after the pause");
        assertEquals(GETS.length() / 5 * 3, framer.buffered(), "the other three stay as bytes");
        framer.cutBuffered(ch.pipeline().context(framer));
        assertEquals(2, taker.names.size(), "still paused: nothing cut");
        framer.paused(false);
        framer.cutBuffered(ch.pipeline().context(framer));
        assertEquals(5, taker.names.size(), "resumed: the buffered requests are cut without another read");
        assertEquals(0, framer.buffered());
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
    }

    @Test
    void endOfInputCutsEverythingLeftEvenWhilePaused() {
        RequestFramer framer = new RequestFramer(FramerLimits.DEFAULTS);
        Taker taker = new Taker(framer, 1);
        EmbeddedChannel ch = new EmbeddedChannel(framer, taker);
        ch.writeInbound(Unpooled.copiedBuffer(GETS, StandardCharsets.US_ASCII));
        assertEquals(1, taker.names.size());
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertEquals(5, taker.names.size(), "a half-closed client gets every request it sent answered");
        assertFalse(ch.finish());
    }
}
