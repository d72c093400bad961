package io.captainos.maven;

import io.captainos.core.BuildConfig;
import io.captainos.core.CaptainException;
import io.captainos.core.docker.DockerRunner;
import io.captainos.core.exec.Command;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Runs a command in the builder container, with the build's folders mounted at their own paths and as the
 * caller's uid:gid, exactly as a stage in docker mode runs its commands. The build fails with the command's exit
 * code when it is not zero. Without a command it runs an interactive bash on this terminal's input and output.
 */
@Mojo(name = "shell", requiresProject = false, aggregator = true, threadSafe = true)
public class ShellMojo extends AbstractCaptainMojo {
    /** The command to run, with {@code /bin/bash -c}; none for an interactive shell. */
    @Parameter(property = "captain.shell.command")
    private String command;

    @Override
    protected void run() {
        BuildConfig config = config();
        DockerRunner runner = docker(config).runner("shell");
        String dir = root().toAbsolutePath().toString();
        if (command == null || command.isBlank()) {
            getLog().info("shell: bash in " + runner.describe() + ", " + dir + "; leave it with exit or Ctrl-D");
            int rc = runner.attach(new Command(List.of("/bin/bash", "-i"), root(), Map.of()), System.in, System.out);
            if (rc != 0) {
                throw new CaptainException("captain:shell: the shell exited with " + rc);
            }
            return;
        }
        getLog().info("shell: " + command + " (in " + runner.describe() + ", " + dir + ")");
        int rc = runner.exitCode(new Command(List.of("/bin/bash", "-c", command), root(), Map.of()));
        if (rc != 0) {
            throw new CaptainException("captain:shell: the command exited with " + rc + ": " + command);
        }
    }
}
