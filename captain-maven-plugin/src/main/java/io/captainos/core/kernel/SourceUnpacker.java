package io.captainos.core.kernel;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Unpacks a verified kernel tarball once, into a folder named by its digest, and raises x86's
 * {@code COMMAND_LINE_SIZE} to 4096 in that copy (Tinkerbell command lines are long). The folder appears under its
 * final name only when complete.
 */
public final class SourceUnpacker {
    static final String CMDLINE_FROM = "#define COMMAND_LINE_SIZE 2048";
    static final String CMDLINE_TO = "#define COMMAND_LINE_SIZE 4096";
    private final Path root;
    private final CommandRunner runner;
    private final BuildLog log;

    public SourceUnpacker(Path root, CommandRunner runner, BuildLog log) {
        this.root = root;
        this.runner = runner;
        this.log = log;
    }

    /** The tree unpacked earlier from the tarball with this digest, if there is one. */
    public Optional<KernelTree> find(String sha256) {
        Path done = root.resolve(sha256);
        return Files.isDirectory(done) ? Optional.of(KernelTree.of(single(done))) : Optional.empty();
    }

    public KernelTree unpack(Path tarball, String sha256) {
        Path done = root.resolve(sha256);
        if (Files.isDirectory(done)) {
            return KernelTree.of(single(done));
        }
        Path tmp = Files2.temporaryFolder(done);
        Files2.deleteTree(tmp);
        try {
            Files.createDirectories(tmp);
            log.info("Unpacking " + tarball.getFileName() + " (" + sha256.substring(0, 12) + ")");
            runner.run(Command.of(tmp, "tar", "-xf", tarball.toAbsolutePath().toString()));
            raiseCommandLineSize(single(tmp));
            Files.move(tmp, done);
        } catch (IOException e) {
            throw new CaptainException("Cannot unpack " + tarball + " into " + root + ": " + e.getMessage(), e);
        } finally {
            Files2.deleteTree(tmp);
        }
        return KernelTree.of(single(done));
    }

    /** Raises x86's command line limit in a tree this build owns; fails if the define moved. */
    static void raiseCommandLineSize(Path tree) throws IOException {
        for (String rel : List.of("arch/x86/include/asm/setup.h", "arch/x86/include/uapi/asm/setup.h")) {
            Path h = tree.resolve(rel);
            if (Files.isRegularFile(h)) {
                String text = Files.readString(h);
                if (text.contains(CMDLINE_FROM)) {
                    Files.writeString(h, text.replace(CMDLINE_FROM, CMDLINE_TO));
                    return;
                }
                if (text.contains(CMDLINE_TO)) {
                    return;
                }
            }
        }
        throw new CaptainException("Cannot raise COMMAND_LINE_SIZE in " + tree + ": no '" + CMDLINE_FROM
                + "' in arch/x86/include/asm/setup.h; the kernel moved it, update SourceUnpacker");
    }

    private static Path single(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> dirs = s.filter(Files::isDirectory).collect(Collectors.toList());
            if (dirs.size() != 1) {
                throw new CaptainException(dir + " should hold exactly one source folder, found " + dirs.size());
            }
            return dirs.get(0);
        } catch (IOException e) {
            throw new CaptainException("Cannot list " + dir + ": " + e.getMessage(), e);
        }
    }
}
