package dev.moat.server;

import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;

/** The body of a server request, forwarded as the body of a client request without copying or blocking. */
final class ForwardedContent implements Request.Content {

    private final org.eclipse.jetty.server.Request source;

    ForwardedContent(org.eclipse.jetty.server.Request source) {
        this.source = source;
    }

    @Override
    public String getContentType() {
        return source.getHeaders().get(HttpHeader.CONTENT_TYPE);
    }

    @Override
    public long getLength() {
        return source.getLength();
    }

    @Override
    public Content.Chunk read() {
        return source.read();
    }

    @Override
    public void demand(Runnable demandCallback) {
        source.demand(demandCallback);
    }

    @Override
    public void fail(Throwable failure) {
        source.fail(failure);
    }

    @Override
    public boolean rewind() {
        return false;
    }
}
