package io.captainos.core.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.CaptainException;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.debian.SourcePackage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DebianSourceToolsSourceTest {
    @TempDir
    Path dir;

    private static DebianPackage pkg(String name, String depends, String provides) {
        return new DebianPackage(
                name, "1.0-1", "all", "pool/" + name + ".deb", "0".repeat(64), 1, "trixie", depends, provides);
    }

    private static SourcePackage source(String buildDepends) {
        return new SourcePackage(
                "containerd", "1.7.24-1", "pool/c", List.of(), buildDepends, "github.com/containerd/containerd", "t");
    }

    private static List<String> names(List<DebianPackage> packages) {
        return packages.stream().map(DebianPackage::name).toList();
    }

    @Test
    void theClosureTakesTheGoPackagesTheBuildNamesAndTheirGoDependencies() {
        Map<String, DebianPackage> available = new HashMap<>();
        for (DebianPackage p : List.of(
                pkg("golang-any", "golang-go (>= 2:1.22~) [amd64 arm64] | gccgo", ""),
                pkg("golang-go", "golang-1.24-go", ""),
                pkg("golang-1.24-go", "golang-1.24-src (>= 1.24.4-1), libc6", ""),
                pkg("golang-1.24-src", "", ""),
                pkg("golang-github-a-dev", "golang-github-b-dev, golang-github-a-dev", ""),
                pkg("golang-github-b-dev", "golang-github-a-dev", ""),
                pkg("golang-github-real-spec-dev", "", "golang-github-virtual-spec-dev (= 1.0)"),
                pkg("golang-github-unused-dev", "", ""))) {
            available.put(p.name(), p);
        }
        List<DebianPackage> closure = DebianSourceToolsSource.closure(
                source("debhelper-compat (= 13), dh-golang, golang-any, golang-github-a-dev,"
                        + " golang-github-missing-dev | golang-github-b-dev, golang-github-virtual-spec-dev,"
                        + " golang-github-windows-dev [!amd64], libbtrfs-dev"),
                available,
                "amd64");
        assertEquals(
                List.of(
                        "golang-1.24-go",
                        "golang-1.24-src",
                        "golang-any",
                        "golang-github-a-dev",
                        "golang-github-b-dev",
                        "golang-github-real-spec-dev",
                        "golang-go"),
                names(closure),
                "sorted; debhelper, libc6 and the C library left out; the first alternative the archive has; a"
                        + " virtual name resolved to its provider; cycles followed once; other arches' and unused"
                        + " packages left out");
    }

    @Test
    void aGoBuildDependencyNoSuiteHasIsNamedInTheError() {
        Map<String, DebianPackage> available = Map.of("golang-go", pkg("golang-go", "", ""));
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> DebianSourceToolsSource.closure(
                        source("golang-go, golang-github-gone-dev (>= 2) | golang-github-also-gone-dev"),
                        available,
                        "amd64"));
        assertTrue(e.getMessage().contains("golang-github-gone-dev | golang-github-also-gone-dev"), e.getMessage());
        assertTrue(e.getMessage().contains("captain.debian.suites"), e.getMessage());
    }

    @Test
    void theLibrariesAreLinkedIntoTheGopathAroundTheTreeBeingBuilt() throws IOException {
        Path lib = dir.resolve("prefix/usr/share/gocode/src");
        Files.createDirectories(lib.resolve("github.com/containerd/containerd/api"));
        Files.writeString(lib.resolve("github.com/containerd/containerd/api/old.go"), "package api");
        Files.createDirectories(lib.resolve("github.com/containerd/ttrpc"));
        Files.writeString(lib.resolve("github.com/containerd/ttrpc/ttrpc.go"), "package ttrpc");
        Files.createDirectories(lib.resolve("golang.org/x/sys/unix"));
        Path src = dir.resolve("gopath/src");
        Path own = src.resolve("github.com/containerd/containerd");
        Files.createDirectories(own);
        Files.writeString(own.resolve("main.go"), "package main");

        DebianSourceToolsSource.linkLibraries(lib, src, "github.com/containerd/containerd");

        assertFalse(Files.isSymbolicLink(src.resolve("github.com")), "a folder the tree is in is entered");
        assertFalse(Files.isSymbolicLink(src.resolve("github.com/containerd")));
        assertTrue(Files.isSymbolicLink(src.resolve("github.com/containerd/ttrpc")));
        assertEquals("package ttrpc", Files.readString(src.resolve("github.com/containerd/ttrpc/ttrpc.go")));
        assertTrue(Files.isSymbolicLink(src.resolve("golang.org")), "a folder not there yet is a link");
        assertTrue(Files.isDirectory(src.resolve("golang.org/x/sys/unix")));
        assertFalse(Files.exists(own.resolve("api")), "the packaged copy of the package being built is left out");
        assertEquals("package main", Files.readString(own.resolve("main.go")));
    }
}
