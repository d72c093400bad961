package io.captainos.core.debian;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.debian.FakeDebianRepo.Deb;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.fetch.FileServer;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.fetch.VerificationException;
import io.captainos.testing.RecordingLog;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DebianArchive and InReleaseVerifier end to end, against a fake archive signed by a key made for the test. */
class DebianArchiveTest {
    private static final byte[] CONTAINERD = "#!/bin/sh\necho containerd\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] CTR = "#!/bin/sh\necho ctr\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] RUNC = "#!/bin/sh\necho runc\n".getBytes(StandardCharsets.UTF_8);

    private static TestSigningKey archiveKey;
    private static TestSigningKey strangerKey;

    @TempDir
    Path cacheDir;

    @TempDir
    Path work;

    private FileServer server;

    @BeforeAll
    static void keys() {
        archiveKey = TestSigningKey.shared("Test Archive Key <archive@example.org>");
        strangerKey = TestSigningKey.shared("Someone Else <stranger@example.org>");
    }

    @BeforeEach
    void start() throws IOException {
        server = new FileServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Deb containerd(String version) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("usr/bin/containerd", CONTAINERD);
        files.put("usr/bin/ctr", CTR);
        files.put("usr/share/doc/containerd/copyright", "copyright\n".getBytes(StandardCharsets.UTF_8));
        return FakeDebianRepo.deb("containerd", version, files);
    }

    private static Deb runc(String version) {
        return FakeDebianRepo.deb("runc", version, Map.of("usr/sbin/runc", RUNC));
    }

    private DownloadCache cache() {
        return new DownloadCache(
                cacheDir, new Downloader(BuildLog.silent(), Map.of(), 2, Duration.ofMillis(1)), BuildLog.silent());
    }

    private DebianArchive archive(List<String> suites) {
        return archive(suites, Set.of());
    }

    private DebianArchive archive(List<String> suites, Set<String> expiredAllowed) {
        return new DebianArchive(
                server.root(),
                suites,
                expiredAllowed,
                "main",
                new InReleaseVerifier(List.of(archiveKey.keyring())),
                cache(),
                BuildLog.silent());
    }

    private DebianArchive archive() {
        return archive(List.of("trixie"));
    }

    private List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).collect(Collectors.toList());
        }
    }

    /** Serves suite {@code dist} with a Sources.xz listing one source package of one file, and that file. */
    private void publishSource(String dist, String version, byte[] orig, byte[] listedBytes) {
        String name = "containerd_" + version + ".orig.tar.xz";
        String sources = "Package: containerd\n"
                + "Version: " + version + "-1\n"
                + "Build-Depends: golang-any\n"
                + "Checksums-Sha256:\n"
                + " " + Sha256.of(listedBytes) + " " + listedBytes.length + " " + name + "\n"
                + "Directory: pool/main/c/containerd\n"
                + "Go-Import-Path: github.com/containerd/containerd\n";
        byte[] xz = FakeDebianRepo.xz(sources.getBytes(StandardCharsets.UTF_8));
        Map<String, byte[]> indexes = new LinkedHashMap<>();
        indexes.put("main/source/Sources.xz", xz);
        server.put(
                "dists/" + dist + "/InRelease",
                archiveKey.clearSign(FakeDebianRepo.release(dist, dist, false, indexes)));
        server.put("dists/" + dist + "/main/source/Sources.xz", xz);
        server.put("pool/main/c/containerd/" + name, orig);
    }

    @Test
    void findsTheNewestSourcePackageAcrossTheSuitesAndVerifiesItsFiles() throws IOException {
        byte[] old = "old source".getBytes(StandardCharsets.UTF_8);
        byte[] fresh = "new source".getBytes(StandardCharsets.UTF_8);
        publishSource("trixie", "1.7.24", old, old);
        publishSource("trixie-updates", "1.7.25", fresh, fresh);

        SourcePackage p = archive(List.of("trixie", "trixie-updates")).source("containerd");
        assertEquals("1.7.25-1", p.version());
        assertEquals("trixie-updates", p.suite());
        assertEquals("github.com/containerd/containerd", p.goImportPath());
        assertEquals(List.of(List.of("golang-any")), p.buildDependencies("amd64"));
        Path file = archive(List.of("trixie", "trixie-updates"))
                .download(p, p.files().get(0));
        assertArrayEquals(fresh, Files.readAllBytes(file));

        CaptainException missing =
                assertThrows(CaptainException.class, () -> archive().source("no-such-source"));
        assertTrue(missing.getMessage().contains("no-such-source"), missing.getMessage());
    }

    @Test
    void refusesASourceFileThatIsNotWhatTheSignedIndexLists() {
        publishSource(
                "trixie",
                "1.7.24",
                "tampered".getBytes(StandardCharsets.UTF_8),
                "signed".getBytes(StandardCharsets.UTF_8));
        SourcePackage p = archive().source("containerd");
        assertThrows(
                VerificationException.class,
                () -> archive().download(p, p.files().get(0)));
    }

    @Test
    void resolvesDownloadsAndExtractsAVerifiedPackage() throws IOException {
        Deb deb = containerd("1.7.24~ds1-6");
        FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(deb, runc("1.1.15+ds1-2")));

        List<DebianPackage> found = archive().resolve("amd64", List.of("containerd", "runc"));
        assertEquals(2, found.size());
        DebianPackage p = found.get(0);
        assertEquals("containerd", p.name());
        assertEquals("1.7.24~ds1-6", p.version());
        assertEquals("amd64", p.architecture());
        assertEquals(deb.filename(), p.filename());
        assertEquals(deb.sha256(), p.sha256());
        assertEquals(deb.bytes().length, p.size());
        assertEquals("trixie", p.suite());
        assertEquals("runc", found.get(1).name());

        Path file = archive().download(p);
        assertEquals(cacheDir.resolve("sha256").resolve(deb.sha256()).resolve(p.debName()), file);
        assertArrayEquals(deb.bytes(), Files.readAllBytes(file));

        Path out = work.resolve("unpacked");
        DebExtractor.extract(file, out);
        assertArrayEquals(CONTAINERD, Files.readAllBytes(out.resolve("usr/bin/containerd")));
        assertArrayEquals(CTR, Files.readAllBytes(out.resolve("usr/bin/ctr")));
        assertTrue(Files.isExecutable(out.resolve("usr/bin/containerd")));
    }

    @Test
    void acquireByHashFetchesTheIndexByItsDigest() {
        Deb deb = containerd("1.7.24~ds1-6");
        byte[] packages = FakeDebianRepo.packages(List.of(deb));
        byte[] xz = FakeDebianRepo.xz(packages);
        String release = FakeDebianRepo.release("stable", "trixie", true, Map.of("main/binary-amd64/Packages.xz", xz));
        server.put("dists/trixie/InRelease", archiveKey.clearSign(release));
        server.put("dists/trixie/main/binary-amd64/by-hash/SHA256/" + Sha256.of(xz), xz);
        List<DebianPackage> found = archive().resolve("amd64", List.of("containerd"));
        assertEquals(deb.sha256(), found.get(0).sha256());
        assertEquals(1, server.requests("dists/trixie/main/binary-amd64/by-hash/SHA256/" + Sha256.of(xz)));
    }

    @Test
    void anExpiredReleaseFromTheMirrorIsRejected() {
        Deb deb = containerd("1.7.24~ds1-6");
        byte[] xz = FakeDebianRepo.xz(FakeDebianRepo.packages(List.of(deb)));
        String fields = FakeDebianRepo.release(
                "stable-updates", "trixie-updates", false, Map.of("main/binary-amd64/Packages.xz", xz));
        server.put("dists/trixie-updates/main/binary-amd64/Packages.xz", xz);
        server.put(
                "dists/trixie-updates/InRelease",
                archiveKey.clearSign(fields.replace(
                        "Acquire-By-Hash:", "Valid-Until: Sat, 03 Jan 2026 00:00:00 UTC\nAcquire-By-Hash:")));
        VerificationException e = assertThrows(
                VerificationException.class,
                () -> archive(List.of("trixie-updates")).resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("expired"), e.getMessage());
        // one that is still valid is accepted
        server.put(
                "dists/trixie-updates/InRelease",
                archiveKey.clearSign(fields.replace(
                        "Acquire-By-Hash:", "Valid-Until: Sat, 03 Jan 2099 00:00:00 UTC\nAcquire-By-Hash:")));
        assertEquals(
                deb.sha256(),
                archive(List.of("trixie-updates"))
                        .resolve("amd64", List.of("containerd"))
                        .get(0)
                        .sha256());
    }

    @Test
    void anExpiredReleaseIsTakenOnlyForASuiteNamedAsAllowedAndStillVerified() {
        Deb deb = containerd("2.1.9+ds1-5");
        byte[] xz = FakeDebianRepo.xz(FakeDebianRepo.packages(List.of(deb)));
        String fields = FakeDebianRepo.release("unstable", "sid", false, Map.of("main/binary-amd64/Packages.xz", xz));
        server.put("dists/sid/main/binary-amd64/Packages.xz", xz);
        server.put(
                "dists/sid/InRelease",
                archiveKey.clearSign(fields.replace(
                        "Acquire-By-Hash:", "Valid-Until: Fri, 06 Nov 2026 08:08:01 UTC\nAcquire-By-Hash:")));
        VerificationException e = assertThrows(
                VerificationException.class,
                () -> archive(List.of("sid"), Set.of("trixie-updates")).resolve("amd64", List.of("containerd")));
        assertTrue(
                e.getMessage().contains("expired") && e.getMessage().contains("captain.debian.allowExpired"),
                e.getMessage());
        assertEquals(
                deb.sha256(),
                archive(List.of("sid"), Set.of("sid"))
                        .resolve("amd64", List.of("containerd"))
                        .get(0)
                        .sha256());
        // the signature still counts: another key's expired Release is refused
        server.put(
                "dists/sid/InRelease",
                strangerKey.clearSign(fields.replace(
                        "Acquire-By-Hash:", "Valid-Until: Fri, 06 Nov 2026 08:08:01 UTC\nAcquire-By-Hash:")));
        assertThrows(
                VerificationException.class,
                () -> archive(List.of("sid"), Set.of("sid")).resolve("amd64", List.of("containerd")));
    }

    @Test
    void anOlderReleaseThanOneSeenBeforeIsRejected() {
        Deb deb = containerd("1.7.24~ds1-6");
        byte[] xz = FakeDebianRepo.xz(FakeDebianRepo.packages(List.of(deb)));
        String fields = FakeDebianRepo.release("stable", "trixie", false, Map.of("main/binary-amd64/Packages.xz", xz));
        server.put("dists/trixie/main/binary-amd64/Packages.xz", xz);
        server.put("dists/trixie/InRelease", archiveKey.clearSign(fields));
        archive().resolve("amd64", List.of("containerd"));
        server.put(
                "dists/trixie/InRelease",
                archiveKey.clearSign(
                        fields.replace("Date: Thu, 01 Jan 2026 00:00:00 UTC", "Date: Mon, 01 Dec 2025 00:00:00 UTC")));
        VerificationException e =
                assertThrows(VerificationException.class, () -> archive().resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("older than the one this build verified before"), e.getMessage());
    }

    @Test
    void tamperedInReleaseIsRejected() {
        FakeDebianRepo.Suite suite = FakeDebianRepo.publish(
                server, archiveKey, "trixie", "stable", "trixie", List.of(containerd("1.7.24~ds1-6")));
        String doc = new String(suite.inRelease(), StandardCharsets.UTF_8);
        int at = doc.indexOf("Components: main contrib") + "Components: main contri".length();
        String tampered = doc.substring(0, at) + "x" + doc.substring(at + 1); // one byte of the signed text
        assertEquals(doc.length(), tampered.length());
        server.put("dists/trixie/InRelease", tampered.getBytes(StandardCharsets.UTF_8));

        VerificationException e =
                assertThrows(VerificationException.class, () -> archive().resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("Bad OpenPGP signature"), e.getMessage());
        assertEquals(0, server.requests("dists/trixie/main/binary-amd64/Packages.xz"));
    }

    @Test
    void inReleaseSignedByAnUnknownKeyIsRejected() {
        FakeDebianRepo.publish(server, strangerKey, "trixie", "stable", "trixie", List.of(containerd("1.0-1")));
        VerificationException e =
                assertThrows(VerificationException.class, () -> archive().resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("no signature by a trusted key"), e.getMessage());
        assertTrue(e.getMessage().contains(String.format("%016X", strangerKey.keyId())), e.getMessage());
        assertEquals(0, server.requests("dists/trixie/main/binary-amd64/Packages.xz"));
    }

    @Test
    void unsignedInReleaseIsRejected() {
        FakeDebianRepo.Suite suite =
                FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(containerd("1.0-1")));
        server.put("dists/trixie/InRelease", suite.release().getBytes(StandardCharsets.UTF_8));
        assertThrows(VerificationException.class, () -> archive().resolve("amd64", List.of("containerd")));
    }

    @Test
    void packagesIndexThatDiffersFromTheSignedReleaseIsRejectedAndNotCached() throws IOException {
        FakeDebianRepo.Suite suite = FakeDebianRepo.publish(
                server, archiveKey, "trixie", "stable", "trixie", List.of(containerd("1.7.24~ds1-6")));
        String listed = Sha256.of(suite.packagesXz());
        Deb evil = containerd("99.0-1");
        server.put(
                "dists/trixie/main/binary-amd64/Packages.xz",
                FakeDebianRepo.xz(FakeDebianRepo.packages(List.of(evil))));

        VerificationException e =
                assertThrows(VerificationException.class, () -> archive().resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
        assertTrue(e.getMessage().contains(listed), e.getMessage());
        assertEquals(List.of(), filesUnder(cacheDir.resolve("sha256").resolve(listed)));
        assertEquals(List.of(), filesUnder(cacheDir.resolve("debian").resolve("extracts")));
    }

    @Test
    void debThatDiffersFromTheIndexIsRejectedAndNotCached() throws IOException {
        Deb deb = containerd("1.7.24~ds1-6");
        FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(deb));
        byte[] corrupted = deb.bytes().clone();
        corrupted[corrupted.length - 10] ^= 0x01;
        server.put(deb.filename(), corrupted);

        DebianArchive archive = archive();
        DebianPackage p = archive.resolve("amd64", List.of("containerd")).get(0);
        VerificationException e = assertThrows(VerificationException.class, () -> archive.download(p));
        assertTrue(e.getMessage().contains("SHA-256 mismatch"), e.getMessage());
        assertFalse(
                Files.exists(cacheDir.resolve("sha256").resolve(deb.sha256()).resolve(p.debName())));
        assertEquals(List.of(), filesUnder(cacheDir.resolve("sha256").resolve(deb.sha256())));
    }

    @Test
    void releaseOfAnotherSuiteIsRejected() {
        // a correctly signed bookworm Release served where trixie was asked for (a downgrade by the mirror)
        FakeDebianRepo.publish(server, archiveKey, "trixie", "bookworm", "bookworm", List.of(containerd("1.0-1")));
        VerificationException e =
                assertThrows(VerificationException.class, () -> archive().resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("bookworm"), e.getMessage());
        assertTrue(e.getMessage().contains("'trixie'"), e.getMessage());
    }

    @Test
    void releaseIsAcceptedByItsSuiteName() {
        FakeDebianRepo.publish(server, archiveKey, "stable", "stable", "trixie", List.of(containerd("1.0-1")));
        assertEquals(
                "1.0-1",
                archive(List.of("stable"))
                        .resolve("amd64", List.of("containerd"))
                        .get(0)
                        .version());
    }

    @Test
    void newestVersionAcrossSuitesWins() {
        FakeDebianRepo.publish(
                server,
                archiveKey,
                "trixie",
                "stable",
                "trixie",
                List.of(containerd("1.7.24~ds1-6"), runc("1.1.15+ds1-2+b4")));
        Deb newer = containerd("1.7.24~ds1-6+deb13u1");
        FakeDebianRepo.publish(
                server,
                archiveKey,
                "trixie-security",
                "stable-security",
                "trixie-security",
                List.of(newer, runc("1.1.15+ds1-2")));

        List<DebianPackage> found =
                archive(List.of("trixie", "trixie-security")).resolve("amd64", List.of("containerd", "runc"));
        assertEquals("1.7.24~ds1-6+deb13u1", found.get(0).version());
        assertEquals("trixie-security", found.get(0).suite());
        assertEquals(newer.sha256(), found.get(0).sha256());
        // the newer runc is in the first suite: the order of the suites does not decide
        assertEquals("1.1.15+ds1-2+b4", found.get(1).version());
        assertEquals("trixie", found.get(1).suite());
    }

    @Test
    void unknownPackageIsNamed() {
        FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(containerd("1.0-1")));
        CaptainException e = assertThrows(
                CaptainException.class, () -> archive().resolve("amd64", List.of("containerd", "no-such-package")));
        assertTrue(e.getMessage().contains("no-such-package"), e.getMessage());
        assertFalse(e instanceof VerificationException, e.toString());
    }

    @Test
    void missingSuiteIsAnErrorNotAnOfflineFallback() {
        FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(containerd("1.0-1")));
        archive().resolve("amd64", List.of("containerd")); // leaves a verified InRelease in the cache
        server.remove("dists/trixie/InRelease");
        CaptainException e =
                assertThrows(CaptainException.class, () -> archive().resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("trixie"), e.getMessage());
        assertTrue(e.getMessage().contains("is missing"), e.getMessage());
    }

    @Test
    void unreachableMirrorFallsBackToTheLastVerifiedInRelease() throws IOException {
        Deb deb = containerd("1.7.24~ds1-6");
        FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(deb));
        DebianArchive online = archive();
        online.download(online.resolve("amd64", List.of("containerd")).get(0));

        server.close(); // connections are refused from now on
        DebianArchive offline = archive();
        DebianPackage p = offline.resolve("amd64", List.of("containerd")).get(0);
        assertEquals("1.7.24~ds1-6", p.version());
        assertEquals(deb.sha256(), p.sha256());
        assertArrayEquals(deb.bytes(), Files.readAllBytes(offline.download(p)));
    }

    @Test
    void savedInReleaseIsVerifiedAgainWhenUsedOffline() throws IOException {
        FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(containerd("1.0-1")));
        archive().resolve("amd64", List.of("containerd"));
        List<Path> saved;
        try (Stream<Path> s = Files.walk(cacheDir.resolve("debian"))) {
            saved = s.filter(f -> f.getFileName().toString().equals("InRelease"))
                    .collect(Collectors.toList());
        }
        assertEquals(1, saved.size(), saved.toString());
        String doc = Files.readString(saved.get(0));
        Files.writeString(saved.get(0), doc.replace("Label: Debian", "Label: Debiam"));

        server.close();
        VerificationException e =
                assertThrows(VerificationException.class, () -> archive().resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("Bad OpenPGP signature"), e.getMessage());
    }

    @Test
    void unreachableMirrorWithoutASavedInReleaseFails() {
        URI mirror = server.root();
        server.close();
        DebianArchive archive = new DebianArchive(
                mirror,
                List.of("trixie"),
                "main",
                new InReleaseVerifier(List.of(archiveKey.keyring())),
                cache(),
                BuildLog.silent());
        CaptainException e =
                assertThrows(CaptainException.class, () -> archive.resolve("amd64", List.of("containerd")));
        assertTrue(e.getMessage().contains("Cannot download"), e.getMessage());
    }

    @Test
    void offlineUsesTheVerifiedCopiesOfAnEarlierRunAndNamesWhatIsMissing() throws IOException {
        FakeDebianRepo.publish(server, archiveKey, "trixie", "stable", "trixie", List.of(containerd("2.1")));
        DebianPackage online = archive().resolve("amd64", List.of("containerd")).get(0);
        archive().download(online);
        int served = server.requests("dists/trixie/InRelease");
        RecordingLog log = new RecordingLog();
        DownloadCache offline = new DownloadCache(cacheDir, cache().downloader().offline(), log);
        DebianArchive archive = new DebianArchive(
                server.root(),
                List.of("trixie"),
                "main",
                new InReleaseVerifier(List.of(archiveKey.keyring())),
                offline,
                log);
        DebianPackage p = archive.resolve("amd64", List.of("containerd")).get(0);
        assertEquals(online.sha256(), p.sha256());
        assertTrue(Files.isRegularFile(archive.download(p)));
        assertEquals(served, server.requests("dists/trixie/InRelease"), "offline, the mirror was not asked");
        assertTrue(log.all().contains("offline: the InRelease of trixie verified on an earlier run"), log.all());

        DownloadCache empty =
                new DownloadCache(work.resolve("empty"), cache().downloader().offline(), log);
        Downloader.OfflineException e = assertThrows(
                Downloader.OfflineException.class,
                () -> new DebianArchive(
                                server.root(),
                                List.of("trixie"),
                                "main",
                                new InReleaseVerifier(List.of(archiveKey.keyring())),
                                empty,
                                log)
                        .resolve("amd64", List.of("containerd")));
        assertTrue(
                e.getMessage().contains("dists/trixie/InRelease")
                        && e.getMessage().contains("-o"),
                e.getMessage());
    }
}
