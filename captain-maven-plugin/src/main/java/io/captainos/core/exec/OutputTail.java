package io.captainos.core.exec;

import java.util.ArrayDeque;
import java.util.Deque;

/** The last lines a command (or an image build) printed, for the message when it fails. */
public final class OutputTail {
    private final int size;
    private final Deque<String> lines = new ArrayDeque<>();

    public OutputTail(int size) {
        this.size = size;
    }

    public synchronized void add(String line) {
        lines.addLast(line);
        if (lines.size() > size) {
            lines.removeFirst();
        }
    }

    /** {@code "\n<heading>:\n<lines>"}, or nothing when nothing was printed. */
    public synchronized String describe(String heading) {
        return lines.isEmpty() ? "" : "\n" + heading + ":\n" + String.join("\n", lines);
    }
}
