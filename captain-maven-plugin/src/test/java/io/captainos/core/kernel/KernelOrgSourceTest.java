package io.captainos.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.exec.NativeRunner;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.fetch.FileServer;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.fetch.VerificationException;
import io.captainos.core.state.InputHash;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** kernel.org's layout served locally: v6.x/linux-<v>.tar.xz beside v6.x/sha256sums.asc. */
class KernelOrgSourceTest {
    @TempDir
    Path dir;

    private static byte[] tarball(String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (XZOutputStream xz = new XZOutputStream(bytes, new LZMA2Options());
                TarArchiveOutputStream tar = new TarArchiveOutputStream(xz)) {
            String top = "linux-" + version + "/";
            String[] parts = version.split("\\.");
            Map<String, String> files = Map.of(
                    top + "Makefile",
                    "VERSION = " + parts[0] + "\nPATCHLEVEL = " + parts[1] + "\nSUBLEVEL = " + parts[2] + "\n",
                    top + "arch/x86/include/asm/setup.h",
                    "#define COMMAND_LINE_SIZE 2048\n");
            for (Map.Entry<String, String> f : new TreeMap<>(files).entrySet()) {
                byte[] body = f.getValue().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(f.getKey());
                e.setSize(body.length);
                tar.putArchiveEntry(e);
                tar.write(body);
                tar.closeArchiveEntry();
            }
        }
        return bytes.toByteArray();
    }

    private KernelOrgSource source(FileServer server, String pin) {
        return source(server, pin, false);
    }

    private KernelOrgSource source(FileServer server, String pin, boolean offline) {
        Downloader online = new Downloader(BuildLog.silent(), Map.of(), 2, Duration.ofMillis(1));
        DownloadCache cache =
                new DownloadCache(dir.resolve("cache"), offline ? online.offline() : online, BuildLog.silent());
        return new KernelOrgSource(
                "6.18.16",
                server.root(),
                pin,
                cache,
                dir.resolve("scratch"),
                new SourceUnpacker(dir.resolve("src"), new NativeRunner(BuildLog.silent()), BuildLog.silent()),
                BuildLog.silent());
    }

    private static String sums(String digest) {
        return "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n" + "0".repeat(64) + "  linux-6.18.15.tar.xz\n"
                + digest + "  linux-6.18.16.tar.xz\n-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n";
    }

    @Test
    void verifiedTarballIsUnpackedWithTheLongerCommandLine() throws IOException {
        byte[] tarball = tarball("6.18.16");
        try (FileServer server = new FileServer()) {
            server.put("v6.x/linux-6.18.16.tar.xz", tarball);
            server.put("v6.x/sha256sums.asc", sums(Sha256.of(tarball)).getBytes(StandardCharsets.UTF_8));
            KernelOrgSource source = source(server, Sha256.of(tarball));
            KernelTree tree = source.prepare();
            assertEquals("6.18.16", tree.version());
            assertTrue(Files.readString(tree.dir().resolve("arch/x86/include/asm/setup.h"))
                    .contains("4096"));
            InputHash inputs = new InputHash();
            source.describe(inputs);
            assertTrue(inputs.describe().contains(Sha256.of(tarball)));
            // unpacked once: a second prepare does not fetch the tarball again
            source(server, null).prepare();
            assertEquals(1, server.requests("v6.x/linux-6.18.16.tar.xz"));
        }
    }

    /** Maven's -o: the checksum list and the tarball of an earlier online build come from the cache, unpinned too. */
    @Test
    void anOfflineBuildUsesTheChecksumListAndTarballOfAnEarlierOnlineBuild() throws IOException {
        byte[] tarball = tarball("6.18.16");
        try (FileServer server = new FileServer()) {
            server.put("v6.x/linux-6.18.16.tar.xz", tarball);
            server.put("v6.x/sha256sums.asc", sums(Sha256.of(tarball)).getBytes(StandardCharsets.UTF_8));
            Downloader.OfflineException before = assertThrows(
                    Downloader.OfflineException.class,
                    () -> source(server, null, true).prepare());
            assertTrue(before.getMessage().contains("sha256sums.asc"), before.getMessage());
            source(server, null).prepare();
            Files2.deleteTree(dir.resolve("src"));
            KernelTree tree = source(server, null, true).prepare();
            assertEquals("6.18.16", tree.version());
            assertEquals(1, server.requests("v6.x/sha256sums.asc"));
            assertEquals(1, server.requests("v6.x/linux-6.18.16.tar.xz"));
        }
    }

    @Test
    void aTamperedTarballIsRejectedAndNothingIsUnpacked() throws IOException {
        byte[] tarball = tarball("6.18.16");
        try (FileServer server = new FileServer()) {
            server.put("v6.x/linux-6.18.16.tar.xz", tarball("6.18.17"));
            server.put("v6.x/sha256sums.asc", sums(Sha256.of(tarball)).getBytes(StandardCharsets.UTF_8));
            VerificationException e = assertThrows(
                    VerificationException.class, () -> source(server, null).prepare());
            assertTrue(e.getMessage().contains("SHA-256 mismatch for linux-6.18.16.tar.xz"), e.getMessage());
            assertFalse(Files.exists(dir.resolve("src").resolve(Sha256.of(tarball))));
        }
    }

    @Test
    void aPinThatDiffersFromThePublishedSumFails() throws IOException {
        byte[] tarball = tarball("6.18.16");
        try (FileServer server = new FileServer()) {
            server.put("v6.x/linux-6.18.16.tar.xz", tarball);
            server.put("v6.x/sha256sums.asc", sums(Sha256.of(tarball)).getBytes(StandardCharsets.UTF_8));
            VerificationException e = assertThrows(
                    VerificationException.class,
                    () -> source(server, "1".repeat(64)).prepare());
            assertTrue(e.getMessage().contains("differs from the pinned"), e.getMessage());
        }
    }

    @Test
    void aBranchIsNotAKernelOrgVersion() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> new KernelOrgSource(
                        "6.18", URI.create("http://127.0.0.1/"), null, null, dir, null, BuildLog.silent()));
        assertTrue(e.getMessage().contains("exact version"), e.getMessage());
    }
}
