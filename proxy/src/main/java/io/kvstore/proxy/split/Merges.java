package io.kvstore.proxy.split;

import io.kvstore.proxy.command.MergeKind;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The mergers that need nothing but the replies themselves. Unless a merge says otherwise, the
 * first error reply of any group is the answer: a partial result presented as whole would be a
 * wrong answer. Stateless.
 */
public final class Merges {

    private Merges() {
    }

    /** The merger for a table merge kind; MGET, SCAN, INFO and CONFIG need per-command data and are built elsewhere. */
    public static Merger of(MergeKind kind) {
        return switch (kind) {
            case ALL_OK -> errorsFirst((alloc, r) -> Replies.ok());
            case KILL -> Merges::kill;
            case SUM -> errorsFirst(Merges::sum);
            case MIN -> errorsFirst(Merges::min);
            case CONCAT -> errorsFirst(Merges::concat);
            case UNION -> errorsFirst(Merges::union);
            case AND -> errorsFirst(Merges::and);
            case NUMSUB -> errorsFirst(Merges::numsub);
            case FIRST -> (alloc, r) -> r[0].retainedDuplicate();
            case FIRST_NON_NULL -> errorsFirst(Merges::firstNonNull);
            case SAME -> errorsFirst(Merges::same);
            case MGET, SCAN, INFO, CONFIG -> throw new IllegalArgumentException(kind + " needs a dedicated merger");
        };
    }

    /** Wraps a merger so that an error from any group is returned as is. */
    public static Merger errorsFirst(Merger merger) {
        return (alloc, replies) -> {
            for (ByteBuf r : replies) {
                if (ReplyReader.isError(r)) {
                    return r.retainedDuplicate();
                }
            }
            return merger.merge(alloc, replies);
        };
    }

    /**
     * A script still running somewhere outweighs one killed elsewhere: the first error that is not
     * NOTBUSY (UNKILLABLE, an unreachable group); else an OK; else NOTBUSY, as Redis with nothing to kill.
     */
    private static ByteBuf kill(ByteBufAllocator alloc, ByteBuf[] replies) {
        ByteBuf ok = null;
        for (ByteBuf r : replies) {
            if (ReplyReader.isError(r) && !ReplyReader.errorText(r).startsWith("NOTBUSY")) {
                return r.retainedDuplicate();
            }
            if (ok == null && !ReplyReader.isError(r)) {
                ok = r;
            }
        }
        return (ok != null ? ok : replies[0]).retainedDuplicate();
    }

    private static ByteBuf sum(ByteBufAllocator alloc, ByteBuf[] replies) {
        long total = 0;
        for (ByteBuf r : replies) {
            total += ReplyReader.number(r, r.readerIndex());
        }
        return Replies.integer(alloc, total);
    }

    private static ByteBuf min(ByteBufAllocator alloc, ByteBuf[] replies) {
        long min = Long.MAX_VALUE;
        for (ByteBuf r : replies) {
            min = Math.min(min, ReplyReader.number(r, r.readerIndex()));
        }
        return Replies.integer(alloc, min);
    }

    private static ByteBuf concat(ByteBufAllocator alloc, ByteBuf[] replies) {
        long count = 0;
        int bytes = 16;
        for (ByteBuf r : replies) {
            count += Math.max(0, ReplyReader.number(r, r.readerIndex()));
            bytes += r.readableBytes();
        }
        ByteBuf out = alloc.buffer(bytes);
        RespWriter.writeArrayHeader(out, count);
        for (ByteBuf r : replies) {
            int body = ReplyReader.afterLine(r, r.readerIndex());
            out.writeBytes(r, body, r.writerIndex() - body);
        }
        return out;
    }

    private static ByteBuf union(ByteBufAllocator alloc, ByteBuf[] replies) {
        Set<ByteBuffer> seen = new LinkedHashSet<>();
        for (ByteBuf r : replies) {
            long n = ReplyReader.number(r, r.readerIndex());
            int at = ReplyReader.afterLine(r, r.readerIndex());
            for (long i = 0; i < n; i++) {
                seen.add(ByteBuffer.wrap(ReplyReader.bulk(r, at)));
                at = ReplyReader.end(r, at);
            }
        }
        ByteBuf out = alloc.buffer();
        RespWriter.writeArrayHeader(out, seen.size());
        for (ByteBuffer b : seen) {
            RespWriter.writeBulk(out, b.array());
        }
        return out;
    }

    private static ByteBuf and(ByteBufAllocator alloc, ByteBuf[] replies) {
        ByteBuf first = replies[0];
        long n = ReplyReader.number(first, first.readerIndex());
        long[] all = new long[(int) n];
        java.util.Arrays.fill(all, 1);
        for (ByteBuf r : replies) {
            int at = ReplyReader.afterLine(r, r.readerIndex());
            for (int i = 0; i < n; i++) {
                all[i] &= ReplyReader.number(r, at);
                at = ReplyReader.end(r, at);
            }
        }
        ByteBuf out = alloc.buffer();
        RespWriter.writeArrayHeader(out, n);
        for (long v : all) {
            RespWriter.writeInteger(out, v);
        }
        return out;
    }

    private static ByteBuf numsub(ByteBufAllocator alloc, ByteBuf[] replies) {
        ByteBuf first = replies[0];
        long n = ReplyReader.number(first, first.readerIndex());
        byte[][] names = new byte[(int) n / 2][];
        long[] counts = new long[(int) n / 2];
        for (ByteBuf r : replies) {
            int at = ReplyReader.afterLine(r, r.readerIndex());
            for (int i = 0; i < n / 2; i++) {
                names[i] = ReplyReader.bulk(r, at);
                at = ReplyReader.end(r, at);
                counts[i] += ReplyReader.number(r, at);
                at = ReplyReader.end(r, at);
            }
        }
        ByteBuf out = alloc.buffer();
        RespWriter.writeArrayHeader(out, n);
        for (int i = 0; i < names.length; i++) {
            RespWriter.writeBulk(out, names[i]);
            RespWriter.writeInteger(out, counts[i]);
        }
        return out;
    }

    private static ByteBuf firstNonNull(ByteBufAllocator alloc, ByteBuf[] replies) {
        for (ByteBuf r : replies) {
            if (!ReplyReader.isNull(r, r.readerIndex())) {
                return r.retainedDuplicate();
            }
        }
        return replies[0].retainedDuplicate();
    }

    private static ByteBuf same(ByteBufAllocator alloc, ByteBuf[] replies) {
        for (ByteBuf r : replies) {
            if (!r.equals(replies[0])) {
                return Replies.error(alloc, "ERR groups answered differently; run the command again");
            }
        }
        return replies[0].retainedDuplicate();
    }
}
