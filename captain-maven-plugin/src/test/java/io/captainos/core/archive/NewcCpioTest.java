package io.captainos.core.archive;

import static io.captainos.testing.Prerequisite.require;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.luben.zstd.ZstdInputStream;
import io.captainos.core.CaptainException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.cpio.CpioArchiveEntry;
import org.apache.commons.compress.archivers.cpio.CpioArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NewcCpioTest {
    private static final long CLAMP = 1767225600L; // 2026-01-01T00:00:00Z
    private static final long OLD = 1600000000L; // 2020-09-13, before the clamp
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path dir;

    /** A tree with every kind of entry an image has; {@code reversed} creates them in the opposite order. */
    private Path tree(String name, boolean reversed) throws Exception {
        Path root = dir.resolve(name);
        List<String> dirs = new ArrayList<>(List.of("usr", "usr/bin", "usr/lib", "etc", "dev", "usr/bin.d"));
        if (reversed) {
            Collections.reverse(dirs);
        }
        for (String d : dirs) {
            Files.createDirectories(root.resolve(d));
        }
        Map<String, String> files = new LinkedHashMap<>();
        files.put("usr/bin/perl", "#!perl\n".repeat(1000));
        files.put("usr/bin/a-b", "a file\n");
        files.put("usr/bin.d/z", "a folder that sorts between usr/bin and its files\n");
        files.put("etc/shadow", "root::1:0:99999:7:::\n");
        files.put("init", "#!/bin/sh\nexec /sbin/init\n");
        List<String> order = new ArrayList<>(files.keySet());
        if (reversed) {
            Collections.reverse(order);
        }
        for (String f : order) {
            Files.writeString(root.resolve(f), files.get(f));
        }
        Files.setPosixFilePermissions(root.resolve("usr/bin/perl"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("init"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("etc/shadow"), PosixFilePermissions.fromString("rw-------"));
        Files.createLink(root.resolve("usr/bin/perl5.40"), root.resolve("usr/bin/perl"));
        Files.createSymbolicLink(root.resolve("bin"), Path.of("usr/bin"));
        run("mkfifo", root.resolve("dev/initctl").toString());
        if (ROOT) {
            run("mknod", "-m", "0600", root.resolve("dev/console").toString(), "c", "5", "1");
            run("chown", "1000:1001", root.resolve("usr/bin/a-b").toString());
        }
        Files.setLastModifiedTime(root.resolve("usr/bin/a-b"), FileTime.fromMillis(OLD * 1000));
        return root;
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", cmd));
    }

    private static List<Object[]> read(Path archive) throws IOException {
        List<Object[]> entries = new ArrayList<>();
        try (InputStream in = new ZstdInputStream(new BufferedInputStream(Files.newInputStream(archive)));
                CpioArchiveInputStream cpio = new CpioArchiveInputStream(in)) {
            CpioArchiveEntry e;
            while ((e = cpio.getNextEntry()) != null) {
                entries.add(new Object[] {e, cpio.readAllBytes()});
            }
        }
        return entries;
    }

    private static Map<String, CpioArchiveEntry> byName(List<Object[]> entries) {
        Map<String, CpioArchiveEntry> m = new LinkedHashMap<>();
        entries.forEach(o -> m.put(((CpioArchiveEntry) o[0]).getName(), (CpioArchiveEntry) o[0]));
        return m;
    }

    @Test
    void sameContentGivesSameBytesWhateverTheCreationOrderAndInodes() throws Exception {
        Path a = dir.resolve("a.cpio.zst");
        Path b = dir.resolve("b.cpio.zst");
        new NewcCpio(CLAMP, 19, 2, 0).write(tree("one", false), a);
        new NewcCpio(CLAMP, 19, 1, 0).write(tree("two", true), b);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    @Test
    void entriesAreSortedByBytesWithParentsFirstAndNumberedInOrder() throws Exception {
        Path a = dir.resolve("a.cpio.zst");
        new NewcCpio(CLAMP, 3, 2, 0).write(tree("t", false), a);
        List<String> names = new ArrayList<>(byName(read(a)).keySet());
        List<String> sorted = new ArrayList<>(names);
        sorted.sort((x, y) ->
                Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        assertEquals(sorted, names);
        assertTrue(names.indexOf("usr") < names.indexOf("usr/bin")
                && names.indexOf("usr/bin") < names.indexOf("usr/bin/perl"));
        assertTrue(names.indexOf("usr/bin.d") < names.indexOf("usr/bin/a-b"), "'.' sorts before '/'");
        assertFalse(names.contains("") || names.contains("."), "the root itself is not an entry");
        long expected = 1;
        for (CpioArchiveEntry e : byName(read(a)).values()) {
            if (!e.getName().equals("usr/bin/perl5.40")) {
                assertEquals(expected++, e.getInode(), e.getName());
            }
            assertEquals(0, e.getDeviceMaj());
        }
    }

    @Test
    void keepsModesOwnersLinksAndDevicesAndClampsTimes() throws Exception {
        Path a = dir.resolve("a.cpio.zst");
        NewcCpio.Stats stats = new NewcCpio(CLAMP, 3, 2, 0).write(tree("t", false), a);
        List<Object[]> entries = read(a);
        Map<String, CpioArchiveEntry> m = byName(entries);
        assertEquals(0100755, m.get("init").getMode());
        assertEquals(0100600, m.get("etc/shadow").getMode());
        assertEquals(0010000, m.get("dev/initctl").getMode() & 0170000, "FIFO");
        assertEquals(0120000, m.get("bin").getMode() & 0170000, "symlink");
        String target = new String(
                (byte[]) entries.stream()
                        .filter(o -> ((CpioArchiveEntry) o[0]).getName().equals("bin"))
                        .findFirst()
                        .orElseThrow()[1],
                StandardCharsets.UTF_8);
        assertEquals("usr/bin", target);
        // Hard links: one inode, two names, the content once (with the first name).
        CpioArchiveEntry perl = m.get("usr/bin/perl");
        CpioArchiveEntry perl540 = m.get("usr/bin/perl5.40");
        assertEquals(perl.getInode(), perl540.getInode());
        assertEquals(2, perl.getNumberOfLinks());
        assertEquals(2, perl540.getNumberOfLinks());
        assertEquals(7000, perl.getSize());
        assertEquals(0, perl540.getSize());
        assertEquals(1, stats.hardLinks());
        // Times: a newer file is clamped, an older one keeps its time.
        assertEquals(CLAMP, m.get("init").getTime());
        assertEquals(OLD, m.get("usr/bin/a-b").getTime());
        assertEquals(Files.size(a), stats.compressedBytes());
        if (ROOT) {
            CpioArchiveEntry console = m.get("dev/console");
            assertEquals(0020600, console.getMode());
            assertEquals(5, console.getRemoteDeviceMaj());
            assertEquals(1, console.getRemoteDeviceMin());
            assertEquals(1000, m.get("usr/bin/a-b").getUID());
            assertEquals(1001, m.get("usr/bin/a-b").getGID());
        }
    }

    @Test
    void gnuCpioExtractsWhatWasPacked() throws Exception {
        require(Files.isExecutable(Path.of("/usr/bin/cpio")), "GNU cpio is not installed (apt-get install cpio)");
        Path src = tree("t", false);
        Path a = dir.resolve("a.cpio.zst");
        new NewcCpio(CLAMP, 3, 2, 0).write(src, a);
        Path plain = dir.resolve("a.cpio");
        try (InputStream in = new ZstdInputStream(Files.newInputStream(a))) {
            Files.copy(in, plain);
        }
        Path out = Files.createDirectories(dir.resolve("out"));
        Process p = new ProcessBuilder("cpio", "-idm", "--quiet", "--no-absolute-filenames", "-F", plain.toString())
                .directory(out.toFile())
                .inheritIO()
                .start();
        assertEquals(0, p.waitFor());
        for (String f :
                List.of("usr/bin/perl", "usr/bin/perl5.40", "usr/bin/a-b", "usr/bin.d/z", "etc/shadow", "init")) {
            assertArrayEquals(Files.readAllBytes(src.resolve(f)), Files.readAllBytes(out.resolve(f)), f);
        }
        assertEquals(
                Files.getAttribute(out.resolve("usr/bin/perl"), "unix:ino"),
                Files.getAttribute(out.resolve("usr/bin/perl5.40"), "unix:ino"),
                "extracted as one file");
        assertEquals(Path.of("usr/bin"), Files.readSymbolicLink(out.resolve("bin")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("init"))));
        assertEquals(
                OLD * 1000,
                Files.getLastModifiedTime(out.resolve("usr/bin/a-b"), LinkOption.NOFOLLOW_LINKS)
                        .toMillis());
    }

    @Test
    void aFailedWriteLeavesNoPartialFileAndSaysWhere() throws Exception {
        Path src = tree("t", false);
        // The target is a folder with content: the archive is written, but cannot be put in place.
        Path target = Files.createDirectories(dir.resolve("x.cpio.zst"));
        Files.writeString(target.resolve("keep"), "kept");
        CaptainException e =
                assertThrows(CaptainException.class, () -> new NewcCpio(CLAMP, 3, 2, 0).write(src, target));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
        assertEquals("kept", Files.readString(target.resolve("keep")));
        try (var s = Files.list(dir)) {
            assertTrue(
                    s.noneMatch(p -> p.getFileName().toString().startsWith(".x.cpio.zst.")), "no temporary file left");
        }
    }

    @Test
    void rejectsALevelOutOfRange() {
        CaptainException e = assertThrows(CaptainException.class, () -> new NewcCpio(CLAMP, 23, 1, 0));
        assertTrue(e.getMessage().contains("1 to 22"));
    }
}
