package io.captainos.core.archive;

import com.github.luben.zstd.ZstdOutputStream;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveOutputStream;
import org.apache.commons.compress.archivers.cpio.CpioConstants;

/**
 * Packs a folder as a zstd-compressed newc CPIO that depends only on the folder's content: entries sorted by their
 * path bytes (parents first), owners and modes as in the tree, symlinks, device nodes, FIFOs and hard links kept,
 * modification times clamped to a fixed time, inode numbers assigned in entry order and device numbers zero. The
 * archive streams to a temporary file beside the target and is moved into place when complete.
 */
public final class NewcCpio {
    /** What was packed: entries, bytes of file content, and the compressed size. */
    public record Stats(int entries, int hardLinks, long contentBytes, long compressedBytes) {}

    private final long clampSeconds;
    private final int level;
    private final int workers;
    private final int longWindowLog;

    /**
     * @param clampSeconds  no entry carries a later modification time than this
     * @param level         zstd level (1-22), or 0 for an uncompressed archive
     * @param workers       zstd worker threads; the output does not depend on their number
     * @param longWindowLog window log of long-distance matching, 0 for none
     */
    public NewcCpio(long clampSeconds, int level, int workers, int longWindowLog) {
        if (level < 0 || level > 22) {
            throw new CaptainException("zstd level " + level + " is out of range: use 1 to 22 (19 is the default)");
        }
        this.clampSeconds = clampSeconds;
        this.level = level;
        this.workers = Math.max(1, workers);
        this.longWindowLog = longWindowLog;
    }

    /**
     * Packs a folder from the command line, for the packer benchmark:
     * {@code NewcCpio <folder> <target> [level] [long window log] [clamp seconds]}; prints the stats.
     */
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: NewcCpio <folder> <target> [level=19] [longWindowLog=0] [clampSeconds=now]");
            System.exit(2);
        }
        int level = args.length > 2 ? Integer.parseInt(args[2]) : 19;
        int window = args.length > 3 ? Integer.parseInt(args[3]) : 0;
        long clamp = args.length > 4 ? Long.parseLong(args[4]) : System.currentTimeMillis() / 1000;
        Stats s = new NewcCpio(clamp, level, Runtime.getRuntime().availableProcessors(), window)
                .write(Path.of(args[0]), Path.of(args[1]));
        System.out.println(
                "entries=" + s.entries() + " content=" + s.contentBytes() + " compressed=" + s.compressedBytes());
    }

    /** Packs {@code root} (not itself an entry) into {@code target}. */
    public Stats write(Path root, Path target) {
        List<Path> paths = list(root);
        Path tmp = null;
        try {
            tmp = Files2.temporaryFile(target);
            Stats stats;
            try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20);
                    OutputStream body = level == 0 ? file : zstd(file)) {
                try (CpioArchiveOutputStream cpio = new CpioArchiveOutputStream(
                        body, CpioConstants.FORMAT_NEW, CpioConstants.BLOCK_SIZE, StandardCharsets.UTF_8.name())) {
                    stats = pack(root, paths, cpio);
                }
            }
            stats = new Stats(stats.entries(), stats.hardLinks(), stats.contentBytes(), Files.size(tmp));
            Files2.commit(tmp, target);
            return stats;
        } catch (IOException e) {
            throw new CaptainException("Cannot pack " + root + " into " + target + ": " + e.getMessage(), e);
        } finally {
            Files2.deleteQuietly(tmp);
        }
    }

    private OutputStream zstd(OutputStream file) throws IOException {
        ZstdOutputStream zstd = new ZstdOutputStream(file, level);
        zstd.setChecksum(true);
        // Multi-threaded zstd output is the same for any number of workers >= 1.
        zstd.setWorkers(workers);
        if (longWindowLog > 0) {
            zstd.setLong(longWindowLog);
        }
        return zstd;
    }

    /** Every path below root, sorted by its relative name's UTF-8 bytes. */
    static List<Path> list(Path root) {
        List<String> names = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (!dir.equals(root)) {
                        names.add(root.relativize(dir).toString());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    names.add(root.relativize(file).toString());
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + root + ": " + e.getMessage(), e);
        }
        names.sort(NewcCpio::compareBytes);
        return names.stream().map(root::resolve).toList();
    }

    private static int compareBytes(String a, String b) {
        byte[] x = a.getBytes(StandardCharsets.UTF_8);
        byte[] y = b.getBytes(StandardCharsets.UTF_8);
        return Arrays.compareUnsigned(x, y);
    }

    private Stats pack(Path root, List<Path> paths, CpioArchiveOutputStream cpio) throws IOException {
        // First pass: how many names each hard-linked file has inside the tree.
        Map<String, Integer> links = new HashMap<>();
        List<Map<String, Object>> attrs = new ArrayList<>(paths.size());
        for (Path p : paths) {
            Map<String, Object> a = Files.readAttributes(
                    p, "unix:mode,uid,gid,nlink,ino,dev,rdev,size,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            attrs.add(a);
            if (isRegular(a) && (Integer) a.get("nlink") > 1) {
                links.merge(fileKey(a), 1, Integer::sum);
            }
        }
        Map<String, Long> assigned = new HashMap<>();
        long nextInode = 1;
        int hardLinks = 0;
        long content = 0;
        for (int i = 0; i < paths.size(); i++) {
            Path p = paths.get(i);
            Map<String, Object> a = attrs.get(i);
            int mode = (Integer) a.get("mode");
            String name = root.relativize(p).toString();
            boolean linked = isRegular(a) && links.getOrDefault(fileKey(a), 0) > 1;
            long inode;
            boolean carriesData = true;
            if (linked) {
                Long known = assigned.get(fileKey(a));
                if (known == null) {
                    inode = nextInode++;
                    assigned.put(fileKey(a), inode);
                } else {
                    inode = known;
                    carriesData = false;
                    hardLinks++;
                }
            } else {
                inode = nextInode++;
            }
            byte[] target = null;
            long size = 0;
            if ((mode & TYPE) == SYMLINK) {
                target = Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8);
                size = target.length;
            } else if (isRegular(a) && carriesData) {
                size = (Long) a.get("size");
            }
            CpioArchiveEntry e = new CpioArchiveEntry(CpioConstants.FORMAT_NEW, name, size);
            e.setMode(mode);
            e.setUID((Integer) a.get("uid"));
            e.setGID((Integer) a.get("gid"));
            e.setInode(inode);
            e.setNumberOfLinks(linked ? links.get(fileKey(a)) : (mode & TYPE) == DIRECTORY ? 2 : 1);
            e.setTime(Math.min(((FileTime) a.get("lastModifiedTime")).toMillis() / 1000, clampSeconds));
            e.setDeviceMaj(0);
            e.setDeviceMin(0);
            long rdev = (Long) a.get("rdev");
            if ((mode & TYPE) == CHAR || (mode & TYPE) == BLOCK) {
                e.setRemoteDeviceMaj(((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
                e.setRemoteDeviceMin((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
            }
            cpio.putArchiveEntry(e);
            if (target != null) {
                cpio.write(target);
            } else if (size > 0) {
                long copied = Files.copy(p, cpio);
                if (copied != size) {
                    throw new IOException(
                            p + " changed while it was packed (" + size + " bytes expected, " + copied + " read)");
                }
                content += size;
            }
            cpio.closeArchiveEntry();
        }
        return new Stats(paths.size(), hardLinks, content, 0);
    }

    private static final int TYPE = 0170000;
    private static final int REGULAR = 0100000;
    private static final int DIRECTORY = 0040000;
    private static final int SYMLINK = 0120000;
    private static final int CHAR = 0020000;
    private static final int BLOCK = 0060000;

    private static boolean isRegular(Map<String, Object> a) {
        return ((Integer) a.get("mode") & TYPE) == REGULAR;
    }

    private static String fileKey(Map<String, Object> a) {
        return a.get("dev") + ":" + a.get("ino");
    }
}
