package io.captainos.core.archive;

import com.github.luben.zstd.ZstdInputStream;
import io.captainos.core.CaptainException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Unpacks tar streams into a folder, refusing any entry or link that would land outside it. */
public final class TarExtractor {
    private TarExtractor() {}

    /** Unpacks a {@code .tar.zst} file (an artifact of the kernel or tools stage) under {@code target}. */
    public static void extractZstd(Path file, Path target) {
        try (InputStream in = new ZstdInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            extract(in, target, file.toString());
        } catch (IOException e) {
            throw new CaptainException("Cannot unpack " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The regular files of a zstd tar, by name, read back to its end: a truncated or corrupt archive fails here, with
     * its name.
     */
    public static Set<String> fileNames(Path file) {
        Set<String> names = new TreeSet<>();
        try (InputStream in = new ZstdInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                // commons-compress takes link entries for files too
                if (e.isFile() && !e.isSymbolicLink() && !e.isLink()) {
                    names.add(e.getName());
                }
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot read back " + file + ": " + e.getMessage(), e);
        }
        return names;
    }

    /** Unpacks a tar stream under {@code target}; {@code origin} names the stream in errors. */
    public static void extract(InputStream in, Path target, String origin) throws IOException {
        Path abs = target.toAbsolutePath().normalize();
        Files.createDirectories(abs);
        Path root = abs.toRealPath();
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
            Path out = root.resolve(e.getName()).normalize();
            if (!out.startsWith(root)
                    || (!out.equals(root)
                            && Files.exists(out.getParent())
                            && !out.getParent().toRealPath().startsWith(root))) {
                throw new CaptainException(origin + ": entry " + e.getName() + " points outside the target folder");
            }
            if (e.isDirectory()) {
                Files.createDirectories(out);
            } else if (e.isSymbolicLink()) {
                Files.createDirectories(out.getParent());
                Files.deleteIfExists(out);
                Files.createSymbolicLink(out, Path.of(e.getLinkName()));
            } else if (e.isLink()) {
                Path src = root.resolve(e.getLinkName()).normalize();
                if (!src.startsWith(root)) {
                    throw new CaptainException(origin + ": hard link " + e.getName() + " points outside the target");
                }
                Files.createDirectories(out.getParent());
                Files.deleteIfExists(out);
                Files.createLink(out, src);
            } else if (e.isFile()) {
                Files.createDirectories(out.getParent());
                Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                Files.setPosixFilePermissions(out, permissions(e.getMode()));
            }
        }
    }

    /** The permission bits of a tar mode as Java names them. */
    public static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> s = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int i = 0; i < order.length; i++) {
            if ((mode & (1 << i)) != 0) {
                s.add(order[i]);
            }
        }
        return s;
    }
}
