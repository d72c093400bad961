package io.captainos.core.exec;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;

/** Runs commands as processes on this host, streaming their output to the build log. */
public final class NativeRunner implements CommandRunner {
    private static final int TAIL_LINES = 40;
    private final BuildLog log;

    public NativeRunner(BuildLog log) {
        this.log = log;
    }

    @Override
    public void run(Command command) {
        execute(command, false);
    }

    @Override
    public String capture(Command command) {
        return execute(command, true);
    }

    private String execute(Command command, boolean capture) {
        log.debug("run: " + command.display());
        ProcessBuilder pb = new ProcessBuilder(command.args()).redirectErrorStream(!capture);
        if (command.directory() != null) {
            pb.directory(command.directory().toFile());
        }
        pb.environment().putAll(command.environment());
        if (capture) {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        StringBuilder out = new StringBuilder();
        Deque<String> tail = new ArrayDeque<>();
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            try (BufferedReader r = new BufferedReader(
                    new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (capture) {
                        out.append(line).append('\n');
                    } else {
                        log.info("  " + line);
                    }
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new CaptainException("Command failed with exit code " + rc + ": " + command.display()
                        + (tail.isEmpty() ? "" : "\nlast lines:\n" + String.join("\n", tail)));
            }
            return out.toString();
        } catch (IOException e) {
            throw new CaptainException("Cannot run " + command.args().get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CaptainException("Interrupted while running " + command.display(), e);
        }
    }

    @Override
    public String describe() {
        return "this host";
    }
}
