package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts client bytes into {@link Request}s: RESP multibulk frames become retained slices of the
 * read buffer (no copy), inline commands are re-encoded once. Bytes that are not RESP become a
 * single {@link ProtocolError} after which everything is discarded. One instance per client
 * channel, used only on its event loop.
 *
 * <p>The parse is resumable: a frame split over many reads is scanned once, not from its start
 * on every read. Positions kept between calls are relative to the frame start (the reader
 * index), because the cumulation buffer may be moved between calls.
 */
public final class RequestFramer extends ByteToMessageDecoder {

    private static final Object NOTHING = new Object();
    /** Beyond this the pending argument is big enough that growing the buffer once beats growing it per read. */
    private static final int PRESIZE_THRESHOLD = 256 * 1024;

    private final FramerLimits limits;
    private boolean failed;
    private boolean paused;

    // State of the multibulk being cut; argc < 0 means "at the start of a frame".
    private int argc = -1;
    private int next;
    private int pos;
    private int[] args;

    public RequestFramer(FramerLimits limits) {
        this.limits = limits;
    }

    /**
     * Bytes read and not yet cut into a request, and the size of the buffer holding them, for
     * CLIENT LIST. Read from any thread: a listing may show figures a moment old.
     */
    public int buffered() {
        return internalBuffer().readableBytes();
    }

    public int bufferCapacity() {
        return internalBuffer().capacity();
    }

    /**
     * Stops or resumes cutting requests: while paused the bytes read stay buffered here, so a
     * client whose reading was stopped ({@code --max-pending}, {@code --max-requests-in-flight})
     * adds no request beyond the one that stopped it. After a pause ends call {@link #cutBuffered}:
     * no read may ever come to cut what is already here.
     */
    public void paused(boolean paused) {
        this.paused = paused;
    }

    /** Cuts the requests buffered during a pause. On the channel's loop, with this framer's context. */
    public void cutBuffered(ChannelHandlerContext ctx) throws Exception {
        if (!paused && !ctx.isRemoved()) {
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
        }
    }

    /**
     * Cuts one request per call: the decoder hands it on before calling again, so a pause that
     * request causes stops the next one here.
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && !paused && in.isReadable()) {
            Object msg = argc < 0 && in.getByte(in.readerIndex()) != '*' ? inline(ctx, in) : multibulk(in);
            if (msg == null) {
                return;
            }
            if (msg instanceof ProtocolError) {
                failed = true;
            }
            if (msg != NOTHING) {
                out.add(msg);
                break;
            }
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    /**
     * The client sent its last byte: cut everything left, paused or not, since the session
     * answers a half-closed client and then closes it, which would drop requests still here.
     * Bounded by what was already read.
     */
    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        paused = false;
        int before;
        do {
            before = in.readableBytes();
            decode(ctx, in, out);
        } while (in.isReadable() && in.readableBytes() < before);
    }

    /** {@code *<argc>\r\n} then argc times {@code $<len>\r\n<bytes>\r\n}. Null when more bytes are needed. */
    private Object multibulk(ByteBuf in) {
        int start = in.readerIndex();
        if (argc < 0) {
            int lf = lineFeed(in, start + 1);
            if (lf < 0) {
                // Too long only once lineFeed's whole window (maxInlineLength + 1 bytes after the '*')
                // has arrived without a LF: the verdict must not depend on where the reads were cut.
                return in.readableBytes() > limits.maxInlineLength() + 1 ? error("too big mbulk count string") : null;
            }
            long n = number(in, start + 1, lf);
            if (n == Numbers.INVALID || n > limits.maxMultibulkLength()) {
                return error("invalid multibulk length");
            }
            if (n <= 0) { // Redis ignores "*0" and "*-1" from clients
                in.readerIndex(lf + 1);
                return NOTHING;
            }
            argc = (int) n;
            args = new int[Math.min(argc, 16) << 1]; // grows with the arguments that arrive, not with what "*N" claims
            next = 0;
            pos = lf + 1 - start;
        }
        while (next < argc) {
            int at = start + pos;
            if (at >= in.writerIndex()) {
                return null;
            }
            byte marker = in.getByte(at);
            if (marker != '$') {
                return error("expected '$', got '" + (char) marker + "'");
            }
            int lf = lineFeed(in, at + 1);
            if (lf < 0) {
                return in.writerIndex() - at > limits.maxInlineLength() + 1 ? error("too big bulk count string") : null;
            }
            long len = number(in, at + 1, lf);
            if (len < 0 || len > limits.maxBulkLength()) {
                return error("invalid bulk length");
            }
            int data = lf + 1;
            long missing = data + len + 2 - (long) in.writerIndex();
            if (missing > 0) {
                if (missing > PRESIZE_THRESHOLD) {
                    // Grow by what has arrived (doubling): a big value is copied O(1) times per byte,
                    // and a "$536870912" header alone cannot make us allocate 512 MB.
                    int grow = (int) Math.min(missing, Math.max(in.readableBytes(), PRESIZE_THRESHOLD));
                    in.ensureWritable(grow, false); // a hint only: never fails on a buffer that cannot grow
                }
                return null;
            }
            int end = data + (int) len;
            if (in.getByte(end) != '\r' || in.getByte(end + 1) != '\n') {
                return error("expected CRLF after bulk argument");
            }
            if (next << 1 == args.length) {
                args = java.util.Arrays.copyOf(args, Math.min(argc, next * 2) << 1);
            }
            args[next << 1] = data - start;
            args[(next << 1) + 1] = (int) len;
            next++;
            pos = end + 2 - start;
        }
        Request request = new Request(in.retainedSlice(start, pos), args);
        in.readerIndex(start + pos);
        argc = -1;
        args = null;
        return request;
    }

    /** A line of space-separated words, as telnet and old clients send; quoting as redis-cli understands it. */
    private Object inline(ChannelHandlerContext ctx, ByteBuf in) {
        int start = in.readerIndex();
        int lf = in.forEachByte(start, Math.min(in.readableBytes(), limits.maxInlineLength() + 1), ByteProcessor.FIND_LF);
        if (lf < 0) {
            return in.readableBytes() > limits.maxInlineLength() ? error("too big inline request") : null;
        }
        int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        String line = in.toString(start, end - start, StandardCharsets.ISO_8859_1);
        in.readerIndex(lf + 1);
        List<byte[]> words = InlineSplitter.split(line);
        if (words == null) {
            return error("unbalanced quotes in request");
        }
        if (words.isEmpty()) {
            return NOTHING;
        }
        return Request.of(ctx.alloc(), words);
    }

    /** Index of the LF ending the line that starts at {@code from}, or -1 when it has not arrived yet. */
    private int lineFeed(ByteBuf in, int from) {
        int readable = in.writerIndex() - from;
        if (readable <= 0) {
            return -1;
        }
        return in.forEachByte(from, Math.min(readable, limits.maxInlineLength() + 1), ByteProcessor.FIND_LF);
    }

    /** The decimal number in {@code [from, lf)} that must end with CR. */
    private static long number(ByteBuf in, int from, int lf) {
        if (lf - 1 < from || in.getByte(lf - 1) != '\r') {
            return Numbers.INVALID;
        }
        return Numbers.parseLong(in, from, lf - 1 - from);
    }

    private static ProtocolError error(String message) {
        return new ProtocolError(message);
    }

    /** Redis's sdssplitargs rules: whitespace separates, "..." takes C escapes, '...' takes \' only. */
    static final class InlineSplitter {

        private InlineSplitter() {
        }

        /** The words of the line, or null for unbalanced quotes. */
        static List<byte[]> split(String line) {
            List<byte[]> words = new ArrayList<>();
            int i = 0;
            int n = line.length();
            while (true) {
                while (i < n && isSpace(line.charAt(i))) {
                    i++;
                }
                if (i >= n) {
                    return words;
                }
                StringBuilder word = new StringBuilder();
                boolean inDouble = false;
                boolean inSingle = false;
                while (true) {
                    if (i >= n) {
                        if (inDouble || inSingle) {
                            return null;
                        }
                        break;
                    }
                    char c = line.charAt(i);
                    if (inDouble) {
                        if (c == '\\' && i + 3 < n && line.charAt(i + 1) == 'x' && isHex(line.charAt(i + 2)) && isHex(line.charAt(i + 3))) {
                            word.append((char) Integer.parseInt(line.substring(i + 2, i + 4), 16));
                            i += 3;
                        } else if (c == '\\' && i + 1 < n) {
                            i++;
                            word.append(unescape(line.charAt(i)));
                        } else if (c == '"') {
                            if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                                return null; // closing quote must be followed by a space
                            }
                            inDouble = false;
                            i++;
                            break;
                        } else {
                            word.append(c);
                        }
                    } else if (inSingle) {
                        if (c == '\\' && i + 1 < n && line.charAt(i + 1) == '\'') {
                            i++;
                            word.append('\'');
                        } else if (c == '\'') {
                            if (i + 1 < n && !isSpace(line.charAt(i + 1))) {
                                return null;
                            }
                            inSingle = false;
                            i++;
                            break;
                        } else {
                            word.append(c);
                        }
                    } else if (isSpace(c)) {
                        break;
                    } else if (c == '"') {
                        inDouble = true;
                    } else if (c == '\'') {
                        inSingle = true;
                    } else {
                        word.append(c);
                    }
                    i++;
                }
                words.add(word.toString().getBytes(StandardCharsets.ISO_8859_1));
            }
        }

        private static char unescape(char c) {
            switch (c) {
                case 'n': return '\n';
                case 'r': return '\r';
                case 't': return '\t';
                case 'b': return '\b';
                case 'a': return (char) 7;
                default: return c;
            }
        }

        private static boolean isSpace(char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
        }

        private static boolean isHex(char c) {
            return Character.digit(c, 16) >= 0;
        }
    }
}
