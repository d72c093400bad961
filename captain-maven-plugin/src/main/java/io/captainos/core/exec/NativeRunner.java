package io.captainos.core.exec;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs commands as processes on this host, streaming their output to the build log. */
public final class NativeRunner implements CommandRunner {
    private static final int TAIL_LINES = 40;
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
    private static final Path SETSID = Path.of("/usr/bin/setsid");
    private static final Path SH = Path.of("/bin/sh");
    private static final String GROUP_WRAPPER =
            "trap 'kill -KILL 0' TERM HUP INT; \"$@\" & child=$!; wait $child;" + " exit $?";
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

    /**
     * Runs a command so that it ends with this build, even one killed with SIGKILL: setpriv gives the wrapper a
     * parent-death signal (TERM), setsid makes it the leader of a process group of its own, and the wrapper, on
     * TERM, kills that whole group (the program and every process it started). A normal end passes the program's
     * exit code through. Where setpriv or setsid is missing, the command runs as it is.
     */
    static List<String> tiedToThisProcess(List<String> args) {
        if (!Files.isExecutable(SETPRIV) || !Files.isExecutable(SETSID) || !Files.isExecutable(SH)) {
            return args;
        }
        List<String> tied = new ArrayList<>(List.of(
                SETPRIV.toString(),
                "--pdeathsig",
                "TERM",
                "--",
                SETSID.toString(),
                SH.toString(),
                "-c",
                GROUP_WRAPPER,
                "captain-stage"));
        tied.addAll(args);
        return tied;
    }

    /** The program as the command's PATH finds it, or a clear failure: the wrapper would only say 127. */
    private static void requireProgram(Command command, Map<String, String> environment) {
        String program = command.args().get(0);
        if (program.contains("/")) {
            Path p = command.directory() == null
                    ? Path.of(program)
                    : command.directory().resolve(program);
            if (!Files.isExecutable(p)) {
                throw new CaptainException("Cannot run " + program + ": no such executable file");
            }
            return;
        }
        if (onPath(program, environment.get("PATH")) != null) {
            return;
        }
        throw new CaptainException(
                "Cannot run " + program + ": not found on PATH (" + environment.getOrDefault("PATH", "") + ")");
    }

    /** The program in the first folder of {@code path} that has it executable; null when none has. */
    public static Path onPath(String program, String path) {
        for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program);
            }
        }
        return null;
    }

    private String execute(Command command, boolean capture) {
        log.debug("run: " + command.display());
        ProcessBuilder pb = new ProcessBuilder().redirectErrorStream(!capture);
        if (command.directory() != null) {
            pb.directory(command.directory().toFile());
        }
        pb.environment().putAll(command.environment());
        requireProgram(command, pb.environment());
        pb.command(tiedToThisProcess(command.args()));
        if (capture) {
            pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        }
        StringBuilder out = new StringBuilder();
        OutputTail tail = new OutputTail(TAIL_LINES);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (capture) {
                        out.append(line).append('\n');
                    } else {
                        log.info("  " + line);
                    }
                    tail.add(line);
                }
            }
            int rc = p.waitFor();
            if (rc != 0) {
                throw new CaptainException(
                        "Command failed with exit code " + rc + ": " + command.display() + tail.describe("last lines"));
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
