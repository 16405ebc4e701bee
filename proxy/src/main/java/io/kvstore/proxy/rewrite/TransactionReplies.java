package io.kvstore.proxy.rewrite;

import io.kvstore.proxy.resp.ReplyReader;
import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * EXEC's reply while the cluster has rewrite rules: one element per queued command, in queue
 * order, so the reply filter each queued command got from {@link KeyRewrite} is applied to its
 * own element, and a command whose reply names keys shows logical names inside a transaction too.
 * Stateless function; runs on the client's event loop.
 */
public final class TransactionReplies {

    private TransactionReplies() {
    }

    /**
     * The filter of an EXEC whose queued commands have {@code perCommand} filters (null for a
     * command that needs none), or null when none needs one. A null or error EXEC (WATCH failed,
     * EXECABORT) passes unchanged; it names no key.
     */
    public static UnaryOperator<ByteBuf> exec(List<UnaryOperator<ByteBuf>> perCommand) {
        if (perCommand.stream().allMatch(java.util.Objects::isNull)) {
            return null;
        }
        List<UnaryOperator<ByteBuf>> filters = List.copyOf(perCommand.stream()
                .map(f -> f == null ? UnaryOperator.<ByteBuf>identity() : f).toList());
        return reply -> {
            if (ReplyReader.type(reply) != '*' || ReplyReader.isNull(reply, reply.readerIndex())) {
                return reply;
            }
            try {
                long n = ReplyReader.number(reply, reply.readerIndex());
                if (n != filters.size()) { // never from Redis: refuse rather than show what may be stored names
                    throw new IllegalStateException("EXEC answered " + n + " replies for " + filters.size() + " commands");
                }
                ByteBuf out = reply.alloc().buffer(reply.readableBytes());
                int at = ReplyReader.afterLine(reply, reply.readerIndex());
                out.writeBytes(reply, reply.readerIndex(), at - reply.readerIndex());
                for (UnaryOperator<ByteBuf> f : filters) {
                    int end = ReplyReader.end(reply, at);
                    ByteBuf one = f.apply(reply.retainedSlice(at, end - at)); // takes the slice over
                    try {
                        out.writeBytes(one);
                    } finally {
                        one.release();
                    }
                    at = end;
                }
                return out;
            } finally {
                reply.release();
            }
        };
    }
}
