package io.captainos.boot;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A UDP syslog receiver on a free loopback port (the guest sends to 10.0.2.2): keeps every datagram as text. */
final class SyslogListener implements AutoCloseable {
    private final DatagramSocket socket;
    private final List<String> messages = new ArrayList<>();

    SyslogListener() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::receive, "syslog-listener");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void receive() {
        byte[] buf = new byte[65536];
        while (!socket.isClosed()) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                socket.receive(p);
            } catch (SocketException e) {
                return;
            } catch (IOException e) {
                continue;
            }
            synchronized (this) {
                messages.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                notifyAll();
            }
        }
    }

    /** Waits until a message contains the text; returns it, or null when the time runs out. */
    synchronized String await(String text, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            for (String m : messages) {
                if (m.contains(text)) {
                    return m;
                }
            }
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) {
                return null;
            }
            wait(left);
        }
    }

    synchronized List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        socket.close();
    }
}
