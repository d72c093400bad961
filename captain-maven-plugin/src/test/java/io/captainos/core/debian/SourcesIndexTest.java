package io.captainos.core.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SourcesIndexTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String INDEX = "Package: containerd\n"
            + "Binary: containerd, golang-github-containerd-containerd-dev\n"
            + "Version: 1:1.7.24~ds1-6+deb13u1\n"
            + "Build-Depends: debhelper-compat (= 13), dh-golang, golang-any,\n"
            + " golang-github-containerd-btrfs-dev (>= 2) [linux-amd64 arm64],\n"
            + " golang-github-foo-dev | golang-github-bar-dev <!nocheck>, libseccomp-dev [!arm64]\n"
            + "Build-Depends-Arch: golang-github-arch-only-dev\n"
            + "Files:\n"
            + " cc583fa77a063245d84ec074c68f3ce0 1799264 containerd_1.7.24~ds1.orig.tar.xz\n"
            + "Checksums-Sha256:\n"
            + " " + A + " 1799264 containerd_1.7.24~ds1.orig.tar.xz\n"
            + " " + B + " 36856 containerd_1.7.24~ds1-6+deb13u1.debian.tar.xz\n"
            + "Directory: pool/main/c/containerd\n"
            + "Go-Import-Path: github.com/containerd/containerd\n"
            + "\n"
            + "Package: runc\n"
            + "Version: 1.1.15+ds1-2\n"
            + "Checksums-Sha256:\n"
            + " " + A + " 10 runc_1.1.15+ds1.orig.tar.xz\n"
            + "Directory: pool/main/r/runc\n"
            + "\n"
            + "Package: containerd\n"
            + "Version: 1.6.0-1\n"
            + "Directory: pool/main/c/containerd\n";

    private static Map<String, List<SourcePackage>> read(Set<String> wanted) throws IOException {
        return SourcesIndex.read(new ByteArrayInputStream(INDEX.getBytes(StandardCharsets.UTF_8)), wanted, "trixie");
    }

    @Test
    void keepsTheWantedStanzasWithTheirVerifiedFilesAndDropsOnesWithoutChecksums() throws IOException {
        Map<String, List<SourcePackage>> found = read(Set.of("containerd"));
        assertEquals(Set.of("containerd"), found.keySet(), "runc was not asked for");
        List<SourcePackage> versions = found.get("containerd");
        assertEquals(1, versions.size(), "the stanza without Checksums-Sha256 cannot be verified and is dropped");
        SourcePackage p = versions.get(0);
        assertEquals("1:1.7.24~ds1-6+deb13u1", p.version());
        assertEquals("1.7.24~ds1", p.upstreamVersion(), "epoch and Debian revision removed");
        assertEquals("github.com/containerd/containerd", p.goImportPath());
        assertEquals("trixie", p.suite());
        assertEquals(
                List.of(
                        new SourcePackage.File("containerd_1.7.24~ds1.orig.tar.xz", A, 1799264),
                        new SourcePackage.File("containerd_1.7.24~ds1-6+deb13u1.debian.tar.xz", B, 36856)),
                p.files());
        assertEquals(A, p.file(".orig.tar.xz", ".orig.tar.gz").sha256());
        assertNull(p.file(".orig.tar.gz"));
        assertEquals(
                "pool/main/c/containerd/containerd_1.7.24~ds1.orig.tar.xz",
                p.path(p.files().get(0)));
    }

    @Test
    void buildDependenciesFollowTheArchListsAndKeepAlternativesInOrder() throws IOException {
        SourcePackage p = read(Set.of("containerd")).get("containerd").get(0);
        List<List<String>> amd64 = p.buildDependencies("amd64");
        assertEquals(
                List.of(
                        List.of("debhelper-compat"),
                        List.of("dh-golang"),
                        List.of("golang-any"),
                        List.of("golang-github-containerd-btrfs-dev"),
                        List.of("golang-github-foo-dev", "golang-github-bar-dev"),
                        List.of("libseccomp-dev"),
                        List.of("golang-github-arch-only-dev")),
                amd64,
                "folded lines joined, versions and profiles dropped, Build-Depends-Arch included");
        List<List<String>> arm64 = p.buildDependencies("arm64");
        assertFalse(arm64.contains(List.of("libseccomp-dev")), "[!arm64] leaves it out on arm64");
        assertTrue(arm64.contains(List.of("golang-github-containerd-btrfs-dev")), "listed for arm64");
        assertFalse(
                p.buildDependencies("riscv64").contains(List.of("golang-github-containerd-btrfs-dev")),
                "not listed for riscv64");
    }
}
