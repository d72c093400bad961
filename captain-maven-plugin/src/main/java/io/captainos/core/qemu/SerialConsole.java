package io.captainos.core.qemu;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lines a machine prints on its serial console, collected by a reader thread, with waits for patterns. Escape
 * sequences (colours, cursor control) are stripped so that patterns match the text a person sees.
 */
public final class SerialConsole {
    private static final Pattern ESCAPES = Pattern.compile("\u001B\\[[0-9;?:]*[A-Za-z]|\u001B[()][A-Z0-9]|\r");

    private final List<String> lines = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private boolean closed;

    /** Starts reading the stream on a daemon thread; each line also goes to {@code echo}. */
    public SerialConsole(InputStream in, Consumer<String> echo) {
        Thread t = new Thread(() -> read(in, echo), "serial-console");
        t.setDaemon(true);
        t.start();
    }

    private void read(InputStream in, Consumer<String> echo) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            int c;
            while ((c = r.read()) != -1) {
                synchronized (this) {
                    if (c == '\n') {
                        String line = clean(partial.toString());
                        partial.setLength(0);
                        lines.add(line);
                        echo.accept(line);
                        notifyAll();
                    } else {
                        partial.append((char) c);
                        if (partial.length() % 64 == 0 || c == ' ' || c == '#') {
                            notifyAll();
                        }
                    }
                }
            }
        } catch (IOException e) {
            // the machine is gone
        } finally {
            synchronized (this) {
                if (partial.length() > 0) {
                    lines.add(clean(partial.toString()));
                    partial.setLength(0);
                }
                closed = true;
                notifyAll();
            }
        }
    }

    static String clean(String s) {
        return ESCAPES.matcher(s).replaceAll("");
    }

    /** Every complete line so far. */
    public synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The number of complete lines so far: a mark for {@link #await(Pattern, int, Duration)}. */
    public synchronized int mark() {
        return lines.size();
    }

    /**
     * Waits until a line from index {@code from} on (or the unfinished last line, such as a prompt) matches; returns
     * the match, or null when the time runs out or the console closes first.
     */
    public synchronized Matcher await(Pattern pattern, int from, Duration timeout) throws InterruptedException {
        return await(pattern, from, timeout, true);
    }

    /**
     * Like {@link #await(Pattern, int, Duration)}, but only complete lines count when {@code partial} is false: the
     * matching line is then in {@link #lines()} when this returns.
     */
    public synchronized Matcher await(Pattern pattern, int from, Duration timeout, boolean partial)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int next = from;
        while (true) {
            for (; next < lines.size(); next++) {
                Matcher m = pattern.matcher(lines.get(next));
                if (m.find()) {
                    return m;
                }
            }
            if (partial) {
                Matcher m = pattern.matcher(clean(this.partial.toString()));
                if (m.find()) {
                    return m;
                }
            }
            long left = deadline - System.nanoTime();
            if (closed || left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    public synchronized boolean closed() {
        return closed;
    }
}
