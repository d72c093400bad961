package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.Files2;
import io.captainos.core.Stage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Removes what the stages built: for the configured arch(es) ({@code -Dcaptain.arch}), or everything with
 * {@code -Dcaptain.clean.all}. The download cache is kept unless {@code -Dcaptain.clean.cache} is set.
 */
@Mojo(name = "clean", aggregator = true, requiresProject = false, threadSafe = true)
public class CleanMojo extends AbstractCaptainMojo {
    /** Remove the work and outputs of every arch, not only the configured ones. */
    @Parameter(property = "captain.clean.all", defaultValue = "false")
    private boolean all;

    /** Remove the verified download cache as well. */
    @Parameter(property = "captain.clean.cache", defaultValue = "false")
    private boolean cache;

    @Override
    protected void run() {
        BuildConfig config = config();
        if (all) {
            remove(buildDir());
            remove(outDir());
        } else {
            for (Arch arch : config.arches()) {
                for (Stage s : Stage.values()) {
                    remove(buildDir().resolve(s.id()).resolve(arch.linux()));
                }
                removeOutputs(arch);
            }
        }
        if (cache) {
            remove(cacheDir(config));
        }
    }

    /** Files in out/ whose names end with the arch, such as vmlinuz-6.12.57-x86_64 or captainos-...-x86_64.iso. */
    private void removeOutputs(Arch arch) {
        if (!Files.isDirectory(outDir())) {
            return;
        }
        String suffix = "-" + arch.linux();
        try (Stream<Path> s = Files.list(outDir())) {
            s.filter(p -> {
                        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
                        return n.endsWith(suffix) || n.contains(suffix + ".");
                    })
                    .forEach(this::remove);
        } catch (IOException e) {
            getLog().warn("Cannot list " + outDir() + ": " + e.getMessage());
        }
    }

    private void remove(Path p) {
        if (Files.exists(p)) {
            Files2.deleteTree(p);
            getLog().info("Removed " + p);
        }
    }
}
