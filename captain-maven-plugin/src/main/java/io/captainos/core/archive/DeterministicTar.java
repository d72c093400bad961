package io.captainos.core.archive;

import com.github.luben.zstd.ZstdOutputStream;
import io.captainos.core.Files2;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a folder as a tar (zstd-compressed unless the level is 0) that depends only on the folder's content:
 * entries in byte order of their paths, owner and group root (0), directories and executables 0755, other files
 * 0644, every timestamp the given one. The archive is written beside its target and moved into place when complete.
 */
public final class DeterministicTar {
    private final long mtimeSeconds;
    private final int level;
    private final int workers;

    /** @param level zstd level, or 0 for a plain uncompressed tar */
    public DeterministicTar(long mtimeSeconds, int level, int workers) {
        this.mtimeSeconds = mtimeSeconds;
        this.level = level;
        this.workers = workers;
    }

    private OutputStream compressed(OutputStream file) throws IOException {
        if (level == 0) {
            return file;
        }
        ZstdOutputStream zstd = new ZstdOutputStream(file, level);
        zstd.setChecksum(true);
        zstd.setWorkers(workers);
        return zstd;
    }

    public void write(Path root, Path target) {
        Files2.atomically(target, tmp -> {
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
                    OutputStream body = compressed(file);
                    TarArchiveOutputStream tar = new TarArchiveOutputStream(body)) {
                tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
                tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
                for (Path p : entries(root)) {
                    add(tar, root, p);
                }
                tar.finish();
            }
        });
    }

    /** Every path under root except root itself, sorted by its relative name. */
    static List<Path> entries(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(p -> !p.equals(root))
                    .sorted((a, b) -> name(root, a).compareTo(name(root, b)))
                    .collect(Collectors.toList());
        }
    }

    private static String name(Path root, Path p) {
        return root.relativize(p).toString().replace('\\', '/');
    }

    private void add(TarArchiveOutputStream tar, Path root, Path p) throws IOException {
        String name = name(root, p);
        TarArchiveEntry e;
        if (Files.isSymbolicLink(p)) {
            e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(Files.readSymbolicLink(p).toString());
            e.setMode(0120777);
        } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            e = new TarArchiveEntry(name + "/");
            e.setMode(040755);
        } else {
            e = new TarArchiveEntry(name);
            e.setMode(Files.isExecutable(p) ? 0100755 : 0100644);
            e.setSize(Files.size(p));
        }
        e.setIds(0, 0);
        e.setUserName("root");
        e.setGroupName("root");
        e.setLastModifiedTime(FileTime.from(mtimeSeconds, TimeUnit.SECONDS));
        tar.putArchiveEntry(e);
        // the path decides, not the entry: commons-compress takes a symlink entry for a file
        if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.copy(p, tar);
        }
        tar.closeArchiveEntry();
    }
}
