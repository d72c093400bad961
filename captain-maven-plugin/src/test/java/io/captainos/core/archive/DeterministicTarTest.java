package io.captainos.core.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeterministicTarTest {
    private static final long MTIME = 1767225600L; // 2026-01-01T00:00:00Z

    @TempDir
    Path dir;

    /** File path to {content, executable?}, with paths chosen so that naive orders differ from byte order. */
    private static Map<String, Object[]> content() {
        Map<String, Object[]> m = new LinkedHashMap<>();
        m.put("usr/local/bin/containerd", new Object[] {"containerd binary\n", true});
        m.put("usr/local/bin/ctr", new Object[] {"ctr binary\n", true});
        m.put("usr/local/bin/a-b", new Object[] {"dash\n", true});
        m.put("usr/local/bin.d/z", new Object[] {"dot dir\n", false});
        m.put("usr/share/captainos/tools.manifest", new Object[] {"path\tsha256\n", false});
        m.put("opt/cni/bin/bridge", new Object[] {"bridge\n", true});
        m.put("Zeta", new Object[] {"upper case sorts first\n", false});
        m.put("etc/conf", new Object[] {"", false});
        // longer than the 100 bytes of a tar header name: written with a PAX header, which must be fixed too
        m.put("usr/lib/" + "long-folder-name/".repeat(6) + "file-with-a-long-name", new Object[] {"long\n", false});
        return m;
    }

    private static void build(Path root, boolean reverse, long mtimeMillis, String plainMode, String execMode)
            throws IOException {
        List<Map.Entry<String, Object[]>> entries = new ArrayList<>(content().entrySet());
        if (reverse) {
            Collections.reverse(entries);
        }
        for (Map.Entry<String, Object[]> e : entries) {
            Path f = root.resolve(e.getKey());
            Files.createDirectories(f.getParent());
            Files.writeString(f, (String) e.getValue()[0], StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(
                    f, PosixFilePermissions.fromString((Boolean) e.getValue()[1] ? execMode : plainMode));
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.collect(Collectors.toList())) {
                Files.setLastModifiedTime(p, FileTime.fromMillis(mtimeMillis));
            }
        }
    }

    private static List<TarArchiveEntry> read(Path archive, Map<String, String> contents) throws IOException {
        List<TarArchiveEntry> out = new ArrayList<>();
        try (InputStream in = new ZstdInputStream(new BufferedInputStream(Files.newInputStream(archive)));
                TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.add(e);
                if (e.isFile()) {
                    contents.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".part"))
                    .collect(Collectors.toList());
        }
    }

    @Test
    void sameTreeGivesTheSameBytes() throws IOException {
        Path a = dir.resolve("a");
        Path b = dir.resolve("other-root");
        build(a, false, 1_000_000_000_000L, "rw-r--r--", "rwxr-xr-x");
        build(b, true, 1_600_000_000_000L, "rw-------", "rwx------");
        Path ta = dir.resolve("out").resolve("a.tar.zst");
        Path tb = dir.resolve("out").resolve("b.tar.zst");
        new DeterministicTar(MTIME, 3, 1).write(a, ta);
        new DeterministicTar(MTIME, 3, 1).write(b, tb);
        assertArrayEquals(Files.readAllBytes(ta), Files.readAllBytes(tb));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void entriesAreSortedOwnedByRootWithFixedModesAndTime() throws IOException {
        Path root = dir.resolve("root");
        build(root, true, 1_234_567_890_000L, "rw-------", "rwx------");
        Path target = dir.resolve("t.tar.zst");
        new DeterministicTar(MTIME, 3, 1).write(root, target);

        Map<String, String> contents = new LinkedHashMap<>();
        List<TarArchiveEntry> entries = read(target, contents);
        List<String> names =
                entries.stream().map(e -> e.getName().replaceAll("/$", "")).collect(Collectors.toList());
        List<String> sorted = new ArrayList<>(names);
        sorted.sort(null);
        assertEquals(sorted, names, "entries must be in byte order of their paths");
        assertTrue(names.containsAll(List.of("usr", "usr/local", "usr/local/bin", "opt/cni/bin")), names.toString());
        assertEquals(content().size(), contents.size());

        for (TarArchiveEntry e : entries) {
            assertEquals(0L, e.getLongUserId(), e.getName());
            assertEquals(0L, e.getLongGroupId(), e.getName());
            assertEquals(MTIME * 1000, e.getModTime().getTime(), e.getName());
            if (e.isDirectory()) {
                assertEquals(0755, e.getMode() & 07777, e.getName());
                continue;
            }
            Object[] spec = content().get(e.getName());
            assertEquals(spec[0], contents.get(e.getName()), e.getName());
            assertEquals((Boolean) spec[1] ? 0755 : 0644, e.getMode() & 07777, e.getName());
            assertEquals(((String) spec[0]).length(), e.getSize(), e.getName());
        }
        assertEquals(List.of(), leftovers());
    }

    @Test
    void numberOfWorkersDoesNotChangeTheBytes() throws IOException {
        Path root = dir.resolve("big");
        Files.createDirectories(root);
        // about 12 MB of compressible but not trivial data: several zstd jobs when compressing with workers
        Random r = new Random(42);
        for (int i = 0; i < 3; i++) {
            byte[] data = new byte[4 << 20];
            for (int k = 0; k < data.length; k++) {
                data[k] = (byte) ('a' + r.nextInt(8));
            }
            Files.write(root.resolve("blob" + i), data);
        }
        Path one = dir.resolve("one.tar.zst");
        Path two = dir.resolve("two.tar.zst");
        Path four = dir.resolve("four.tar.zst");
        new DeterministicTar(MTIME, 1, 1).write(root, one);
        new DeterministicTar(MTIME, 1, 2).write(root, two);
        new DeterministicTar(MTIME, 1, 4).write(root, four);
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(two), "workers=1 vs workers=2");
        assertArrayEquals(Files.readAllBytes(one), Files.readAllBytes(four), "workers=1 vs workers=4");
        assertEquals(3, read(one, new LinkedHashMap<>()).size());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void replacesAnExistingTarget() throws IOException {
        Path root = dir.resolve("root");
        build(root, false, 0, "rw-r--r--", "rwxr-xr-x");
        Path target = dir.resolve("t.tar.zst");
        Files.writeString(target, "old");
        new DeterministicTar(MTIME, 3, 1).write(root, target);
        Map<String, String> contents = new LinkedHashMap<>();
        read(target, contents);
        assertEquals("ctr binary\n", contents.get("usr/local/bin/ctr"));
        assertEquals(List.of(), leftovers());
    }

    @Test
    void aSymlinkIsALinkEntryWithItsTargetAndNoBody() throws IOException {
        Path root = dir.resolve("root");
        build(root, false, 0, "rw-r--r--", "rwxr-xr-x");
        Files.createDirectories(root.resolve("usr/libexec/captainos"));
        Files.createSymbolicLink(root.resolve("usr/libexec/captainos/agent-image"), Path.of("../../local/bin/ctr"));
        Path target = dir.resolve("t.tar.zst");
        new DeterministicTar(MTIME, 3, 1).write(root, target);
        Map<String, String> contents = new LinkedHashMap<>();
        TarArchiveEntry link = read(target, contents).stream()
                .filter(e -> e.getName().equals("usr/libexec/captainos/agent-image"))
                .findFirst()
                .orElseThrow();
        assertTrue(link.isSymbolicLink());
        assertEquals("../../local/bin/ctr", link.getLinkName());
        assertEquals(0, link.getSize());
        assertEquals(0L, link.getLongUserId());
        assertEquals("ctr binary\n", contents.get("usr/local/bin/ctr"), "the entry after the link is intact");
    }
}
