package io.captainos.core.docker;

import io.captainos.core.CaptainException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * An attached container's standard streams: the Docker API's {@code attach} call, upgraded to a raw stream on its
 * own connection (the one thing fabric8's access layer does not offer). Without a terminal the engine multiplexes
 * standard output and error in frames of an 8-byte header (stream, 0, 0, 0, big-endian length) and the payload.
 */
final class AttachStream implements AutoCloseable {
    private final SocketChannel channel;
    private final ByteBuffer pending;

    private AttachStream(SocketChannel channel, ByteBuffer pending) {
        this.channel = channel;
        this.pending = pending;
    }

    /** Attaches to a created container's stdin, stdout and stderr at the engine's address. */
    static AttachStream open(String address, String containerId) {
        URI uri = URI.create(address);
        try {
            SocketChannel ch;
            if ("unix".equals(uri.getScheme())) {
                ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                ch.connect(UnixDomainSocketAddress.of(uri.getPath()));
            } else {
                SocketAddress a = new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 2375 : uri.getPort());
                ch = SocketChannel.open(a);
            }
            String request = "POST /containers/" + containerId + "/attach?stream=1&stdin=1&stdout=1&stderr=1"
                    + " HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n";
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                ch.write(out);
            }
            ByteBuffer in = ByteBuffer.allocate(16384);
            int end;
            while ((end = headersEnd(in)) < 0) {
                if (ch.read(in) < 0) {
                    throw new CaptainException("The Docker engine at " + address + " closed the attach connection");
                }
            }
            String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
            String status = head.substring(0, head.indexOf("\r\n"));
            if (!status.matches("HTTP/1\\.[01] (101|200)\\b.*")) {
                throw new CaptainException("The Docker engine at " + address + " refused to attach to container "
                        + containerId + ": " + status);
            }
            ByteBuffer rest = ByteBuffer.wrap(in.array(), end + 4, in.position() - end - 4);
            return new AttachStream(ch, rest);
        } catch (IOException e) {
            throw new CaptainException(
                    "Cannot attach to container " + containerId + " at " + address + ": " + Fabric8Engine.causes(e), e);
        }
    }

    private static int headersEnd(ByteBuffer b) {
        byte[] a = b.array();
        for (int i = 0; i + 3 < b.position(); i++) {
            if (a[i] == '\r' && a[i + 1] == '\n' && a[i + 2] == '\r' && a[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Copies {@code in} to the container's stdin on a thread of its own, closing it (EOF) when {@code in} ends. */
    void feed(InputStream in) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[4096];
                    try {
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            ByteBuffer b = ByteBuffer.wrap(buf, 0, n);
                            while (b.hasRemaining()) {
                                channel.write(b);
                            }
                        }
                        channel.shutdownOutput();
                    } catch (IOException ended) {
                        // the container is gone; its end is read on the other side
                    }
                },
                "captain-attach-stdin");
        t.setDaemon(true);
        t.start();
    }

    /** Copies the container's stdout and stderr frames to {@code out} until the container ends. */
    void drain(OutputStream out) throws IOException {
        byte[] header = new byte[8];
        while (readFully(header, header.length)) {
            int size = ByteBuffer.wrap(header, 4, 4).getInt();
            byte[] payload = new byte[size];
            if (!readFully(payload, size)) {
                break;
            }
            out.write(payload);
            out.flush();
        }
    }

    private boolean readFully(byte[] target, int length) throws IOException {
        int got = 0;
        while (got < length) {
            if (pending.hasRemaining()) {
                int n = Math.min(pending.remaining(), length - got);
                pending.get(target, got, n);
                got += n;
                continue;
            }
            int n = channel.read(ByteBuffer.wrap(target, got, length - got));
            if (n < 0) {
                return false;
            }
            got += n;
        }
        return true;
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
