package io.captainos.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

/** File helpers the stages share. */
public final class Files2 {
    private Files2() {}

    /** Deletes a file or folder tree, without following links; nothing happens when it does not exist. */
    public static void deleteTree(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CaptainException("Cannot delete " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Puts a finished temporary file in place in one step (readable by all, like any build output), so readers
     * see either the old file or the complete new one.
     */
    public static void commit(Path tmp, Path target) throws IOException {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Copies a file to a temporary file beside the target, then moves it into place. */
    public static void copyAtomically(Path from, Path to) {
        atomically(to, tmp -> Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING));
    }

    /** Writes text to a temporary file beside the target, then moves it into place. */
    public static void writeAtomically(Path target, String text) {
        atomically(target, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }

    /** Writes bytes to a temporary file beside the target, then moves it into place. */
    public static void writeAtomically(Path target, byte[] bytes) {
        atomically(target, tmp -> Files.write(tmp, bytes));
    }

    /** Something that fills a temporary file. */
    @FunctionalInterface
    public interface Filler {
        void fill(Path tmp) throws IOException;
    }

    /**
     * Fills a temporary file beside the target, then moves it into place; on any failure (an exception from the
     * filler too) the temporary file is removed and the target is left as it was.
     */
    public static void atomically(Path target, Filler filler) {
        Path tmp = null;
        try {
            tmp = temporaryFile(target);
            filler.fill(tmp);
            commit(tmp, target);
        } catch (IOException e) {
            throw new CaptainException("Cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /**
     * A new empty temporary file beside {@code target}, named {@code .<target name>.<random>.part}: the one scheme of
     * every temporary file the build writes, which never looks finished and which {@link #removeLeftovers} removes.
     */
    public static Path temporaryFile(Path target) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + target.getFileName() + ".", ".part");
    }

    /** The temporary folder a folder is filled in before it is moved into place: {@code .<name>.part} beside it. */
    public static Path temporaryFolder(Path target) {
        return target.resolveSibling("." + target.getFileName() + ".part");
    }

    /**
     * Removes what an interrupted write left in a folder: temporary files and folders of {@link #temporaryFile} and
     * {@link #temporaryFolder} ({@code .<name>...part}, and the older {@code .<name>.partial}), which never look
     * finished. A stage calls it as it starts, so a killed build leaves nothing behind for long. Returns how many
     * it removed.
     */
    public static int removeLeftovers(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        int removed = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                if (n.startsWith(".") && (n.endsWith(".part") || n.endsWith(".partial"))) {
                    deleteTree(p);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot clean the temporary files of " + dir + ": " + e.getMessage(), e);
        }
        return removed;
    }

    /** Removes a leftover temporary file if it is there; its name never looks finished, so failure is harmless. */
    public static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // best effort
        }
    }
}
