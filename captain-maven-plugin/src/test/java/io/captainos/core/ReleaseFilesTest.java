package io.captainos.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.ReleaseFiles.Kind;
import io.captainos.core.ReleaseFiles.Name;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReleaseFilesTest {
    @Test
    void namesForBothArches() {
        assertEquals("vmlinuz-6.12.57-x86_64", Kind.VMLINUZ.fileName("6.12.57", Arch.AMD64));
        assertEquals("initramfs-6.12.57-x86_64", Kind.INITRAMFS.fileName("6.12.57", Arch.AMD64));
        assertEquals("captainos-6.12.57-x86_64.iso", Kind.ISO.fileName("6.12.57", Arch.AMD64));
        assertEquals("sha256sums-6.12.57-x86_64.txt", Kind.SHA256SUMS.fileName("6.12.57", Arch.AMD64));
        assertEquals("initramfs-6.12.57-x86_64.manifest", Kind.MANIFEST.fileName("6.12.57", Arch.AMD64));
        assertEquals("vmlinuz-6.18.16-aarch64", Kind.VMLINUZ.fileName("6.18.16", Arch.ARM64));
        assertEquals("initramfs-6.18.16-aarch64", Kind.INITRAMFS.fileName("6.18.16", Arch.ARM64));
        assertEquals("captainos-6.18.16-aarch64.iso", Kind.ISO.fileName("6.18.16", Arch.ARM64));
        assertEquals("sha256sums-6.18.16-aarch64.txt", Kind.SHA256SUMS.fileName("6.18.16", Arch.ARM64));
        assertEquals("initramfs-6.18.16-aarch64.manifest", Kind.MANIFEST.fileName("6.18.16", Arch.ARM64));
        assertEquals(Path.of("out/captainos-6.18.16-aarch64.iso"), Kind.ISO.in(Path.of("out"), "6.18.16", Arch.ARM64));
        assertEquals("captainos-<kver>-aarch64.iso", Kind.ISO.pattern(Arch.ARM64));
        assertEquals(List.of(Kind.VMLINUZ, Kind.INITRAMFS, Kind.ISO, Kind.SHA256SUMS), ReleaseFiles.RELEASE);
    }

    @Test
    void everyNameParsesBackToWhatMadeIt() {
        for (Kind kind : Kind.values()) {
            for (Arch arch : Arch.values()) {
                for (String release : List.of("6.12.57", "6.12.117+deb13-amd64", "6.12.117-captainos")) {
                    String name = kind.fileName(release, arch);
                    assertEquals(Optional.of(new Name(kind, release, arch)), ReleaseFiles.parse(name), name);
                }
            }
        }
    }

    @Test
    void releasesWithDebianAndLocalSuffixesKeepThem() {
        assertEquals("vmlinuz-6.12.117+deb13-amd64-x86_64", Kind.VMLINUZ.fileName("6.12.117+deb13-amd64", Arch.AMD64));
        assertEquals(
                "initramfs-6.12.117-captainos-aarch64.manifest",
                Kind.MANIFEST.fileName("6.12.117-captainos", Arch.ARM64));
        Name n = ReleaseFiles.parse("initramfs-6.12.117+deb13-amd64-x86_64").orElseThrow();
        assertEquals(new Name(Kind.INITRAMFS, "6.12.117+deb13-amd64", Arch.AMD64), n);
        Name m = ReleaseFiles.parse("initramfs-6.12.117-captainos-x86_64.manifest")
                .orElseThrow();
        assertEquals(new Name(Kind.MANIFEST, "6.12.117-captainos", Arch.AMD64), m);
    }

    @Test
    void namesThatAreNotOursAreRejected() {
        for (String name : List.of(
                "vmlinuz-6.12-x86_64.partial",
                "captainos-1-riscv64.iso",
                "vmlinuz--x86_64",
                "vmlinuz-x86_64",
                ".captainos-x86_64.iso.partial",
                "captainos-6.12.57-x86_64-patched.iso",
                "sha256sums-6.12-x86_64",
                "initramfs-x86_64.cpio.zst",
                "captainos-tools-x86_64.tar.zst",
                "vmlinuz-6.12-amd64",
                "vmlinuz-6 12-x86_64",
                "README.md",
                "")) {
            assertEquals(Optional.empty(), ReleaseFiles.parse(name), name);
        }
    }

    @Test
    void aBadReleaseIsRefusedWithWhatIsExpected() {
        for (String bad : List.of("", "6.12/57", "6.12 57", "-6.12")) {
            CaptainException e = assertThrows(CaptainException.class, () -> Kind.VMLINUZ.fileName(bad, Arch.AMD64));
            assertTrue(e.getMessage().contains("vmlinuz-<kver>-x86_64"), e.getMessage());
        }
        assertThrows(CaptainException.class, () -> Kind.ISO.fileName(null, Arch.AMD64));
    }

    @Test
    void aFolderListsItsKernelReleasesPerArchInOrder(@TempDir Path out) throws IOException {
        assertEquals(List.of(), ReleaseFiles.releases(out.resolve("missing"), Kind.VMLINUZ, Arch.AMD64));
        for (String release : List.of("6.18.16", "6.12.57")) {
            for (Kind kind : Kind.values()) {
                Files.writeString(kind.in(out, release, Arch.AMD64), kind.name());
            }
        }
        Files.writeString(out.resolve("vmlinuz-6.12.99-x86_64.partial"), "x");
        Files.writeString(out.resolve("vmlinuz-6.1.1-aarch64"), "x");
        Files.writeString(out.resolve("initramfs-6.1.2-aarch64"), "x");
        assertEquals(List.of("6.12.57", "6.18.16"), ReleaseFiles.releases(out, Kind.VMLINUZ, Arch.AMD64));
        assertEquals(List.of("6.12.57", "6.18.16"), ReleaseFiles.releases(out, Kind.MANIFEST, Arch.AMD64));
        assertEquals(List.of("6.1.1"), ReleaseFiles.releases(out, Kind.VMLINUZ, Arch.ARM64));
        assertEquals(List.of("6.1.2"), ReleaseFiles.releases(out, Kind.INITRAMFS, Arch.ARM64));
        assertEquals(List.of(), ReleaseFiles.releases(out, Kind.ISO, Arch.ARM64));
    }

    @Test
    void theNewestReleaseIsTheOneWrittenLast(@TempDir Path out) throws IOException {
        assertEquals(Optional.empty(), ReleaseFiles.newest(out, Kind.VMLINUZ, Arch.AMD64));
        long t = 1_700_000_000_000L;
        for (String release : List.of("6.12.57", "6.18.16", "6.12.117-captainos")) {
            Path f = Files.writeString(Kind.VMLINUZ.in(out, release, Arch.AMD64), release);
            Files.setLastModifiedTime(f, FileTime.fromMillis(release.equals("6.12.57") ? t + 60_000 : t));
        }
        Files.writeString(Kind.ISO.in(out, "6.18.16", Arch.AMD64), "iso");
        assertEquals(Optional.of("6.12.57"), ReleaseFiles.newest(out, Kind.VMLINUZ, Arch.AMD64));
        assertEquals(Optional.of("6.18.16"), ReleaseFiles.newest(out, Kind.ISO, Arch.AMD64));
        assertEquals(Optional.empty(), ReleaseFiles.newest(out, Kind.VMLINUZ, Arch.ARM64));
    }
}
