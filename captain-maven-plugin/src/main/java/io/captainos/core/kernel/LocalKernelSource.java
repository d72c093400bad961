package io.captainos.core.kernel;

import io.captainos.core.CaptainException;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.state.InputHash;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A kernel tree on disk. It is built out of tree and never written to; its identity for the up-to-date check is
 * the path, size and modification time of every file in it ({@code .git} aside).
 */
public final class LocalKernelSource implements KernelSource {
    private final Path dir;

    public LocalKernelSource(Path dir) {
        if (!Files.isRegularFile(dir.resolve("Makefile")) || !Files.isDirectory(dir.resolve("arch"))) {
            throw new CaptainException(
                    "captain.kernel.src " + dir + " is not a kernel source tree (no Makefile and" + " arch/ folder)");
        }
        this.dir = dir;
    }

    @Override
    public String id() {
        return "local";
    }

    @Override
    public void describe(InputHash inputs) {
        List<String> lines = new ArrayList<>();
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) {
                    return d.getFileName().toString().equals(".git")
                            ? FileVisitResult.SKIP_SUBTREE
                            : FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    lines.add(dir.relativize(f) + " " + a.size() + " "
                            + a.lastModifiedTime().toMillis());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CaptainException("Cannot read the kernel tree " + dir + ": " + e.getMessage(), e);
        }
        Collections.sort(lines);
        inputs.value(
                "kernel.source",
                "local " + dir.toAbsolutePath() + " "
                        + Sha256.of(String.join("\n", lines).getBytes()));
    }

    @Override
    public KernelTree prepare() {
        return KernelTree.of(dir);
    }
}
