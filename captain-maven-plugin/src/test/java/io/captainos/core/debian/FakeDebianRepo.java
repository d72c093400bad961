package io.captainos.core.debian;

import io.captainos.core.fetch.FileServer;
import io.captainos.core.fetch.Sha256;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/** Builds a tiny Debian archive (packages, Packages indexes, a signed InRelease) and serves it. */
final class FakeDebianRepo {
    /** A built .deb and where it lives in the pool. */
    record Deb(String name, String version, String filename, byte[] bytes) {
        String sha256() {
            return Sha256.of(bytes);
        }
    }

    /** What {@link #publish} served for a suite. */
    record Suite(String release, byte[] inRelease, byte[] packages, byte[] packagesXz) {}

    private FakeDebianRepo() {}

    /** A .deb of {@code files} (paths such as {@code usr/bin/containerd}, all executable). */
    static Deb deb(String name, String version, Map<String, byte[]> files) {
        String noEpoch = version.substring(version.indexOf(':') + 1);
        String filename = "pool/main/" + name.charAt(0) + "/" + name + "/" + name + "_" + noEpoch + "_amd64.deb";
        byte[] control = xz(tar(Map.of(
                "control",
                ("Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\nDescription: test\n")
                        .getBytes(StandardCharsets.UTF_8))));
        byte[] data = xz(tar(files));
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (ArArchiveOutputStream ar = new ArArchiveOutputStream(bos)) {
            member(ar, "debian-binary", "2.0\n".getBytes(StandardCharsets.US_ASCII));
            member(ar, "control.tar.xz", control);
            member(ar, "data.tar.xz", data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Deb(name, version, filename, bos.toByteArray());
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] body) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, body.length));
        ar.write(body);
        ar.closeArchiveEntry();
    }

    /** A tar in the style of dpkg-deb: {@code ./} prefixes and an entry for each folder. */
    static byte[] tar(Map<String, byte[]> files) {
        TreeSet<String> dirs = new TreeSet<>();
        for (String f : files.keySet()) {
            for (int i = f.indexOf('/'); i >= 0; i = f.indexOf('/', i + 1)) {
                dirs.add(f.substring(0, i + 1));
            }
        }
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bos)) {
            TarArchiveEntry root = new TarArchiveEntry("./");
            root.setMode(040755);
            tar.putArchiveEntry(root);
            tar.closeArchiveEntry();
            for (String d : dirs) {
                TarArchiveEntry e = new TarArchiveEntry("./" + d);
                e.setMode(040755);
                tar.putArchiveEntry(e);
                tar.closeArchiveEntry();
            }
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                TarArchiveEntry e = new TarArchiveEntry("./" + f.getKey());
                e.setMode(0100755);
                e.setSize(f.getValue().length);
                tar.putArchiveEntry(e);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    static byte[] xz(byte[] data) {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = new XZOutputStream(bos, new LZMA2Options(1))) {
            out.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bos.toByteArray();
    }

    /** A Packages index listing the debs. */
    static byte[] packages(List<Deb> debs) {
        StringBuilder sb = new StringBuilder();
        for (Deb d : debs) {
            sb.append("Package: ")
                    .append(d.name())
                    .append('\n')
                    .append("Source: ")
                    .append(d.name())
                    .append('\n')
                    .append("Version: ")
                    .append(d.version())
                    .append('\n')
                    .append("Installed-Size: 12\n")
                    .append("Maintainer: Test <test@example.org>\n")
                    .append("Architecture: amd64\n")
                    .append("Description: test package ")
                    .append(d.name())
                    .append('\n')
                    .append(" A longer description: with a colon.\n")
                    .append("Filename: ")
                    .append(d.filename())
                    .append('\n')
                    .append("Size: ")
                    .append(d.bytes().length)
                    .append('\n')
                    .append("SHA256: ")
                    .append(d.sha256())
                    .append('\n')
                    .append('\n');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * A Release text naming the suite and codename and listing each index (path relative to the suite) by size
     * and SHA-256. It has a line with trailing whitespace and a line starting with a dash, which clear-signing
     * must handle.
     */
    static String release(String suite, String codename, boolean byHash, Map<String, byte[]> indexes) {
        StringBuilder sb = new StringBuilder()
                .append("Origin: Debian\n")
                .append("Label: Debian\n")
                .append("Suite: ")
                .append(suite)
                .append('\n')
                .append("Codename: ")
                .append(codename)
                .append('\n')
                .append("Date: Thu, 01 Jan 2026 00:00:00 UTC\n")
                .append("Acquire-By-Hash: ")
                .append(byHash ? "yes" : "no")
                .append('\n')
                .append("Architectures: amd64 arm64\n")
                .append("Components: main contrib\n")
                .append("Description: CaptainOS test archive \t \n")
                .append("-- a line that must be dash-escaped\n")
                .append("MD5Sum:\n")
                .append(" 00000000000000000000000000000000       12 main/binary-amd64/Release\n")
                .append("SHA256:\n");
        for (Map.Entry<String, byte[]> e : indexes.entrySet()) {
            sb.append(' ')
                    .append(Sha256.of(e.getValue()))
                    .append(String.format(" %16d ", e.getValue().length))
                    .append(e.getKey())
                    .append('\n');
        }
        return sb.toString();
    }

    /**
     * Serves suite {@code dist} (at {@code dists/<dist>/}) whose Release names {@code suite} and {@code codename},
     * with Packages and Packages.xz for main/binary-amd64 listing the debs, and the debs in the pool.
     */
    static Suite publish(
            FileServer server, TestSigningKey key, String dist, String suite, String codename, List<Deb> debs) {
        byte[] packages = packages(debs);
        byte[] packagesXz = xz(packages);
        Map<String, byte[]> indexes = new LinkedHashMap<>();
        indexes.put("main/binary-amd64/Packages", packages);
        indexes.put("main/binary-amd64/Packages.xz", packagesXz);
        String release = release(suite, codename, false, indexes);
        byte[] inRelease = key.clearSign(release);
        server.put("dists/" + dist + "/InRelease", inRelease);
        server.put("dists/" + dist + "/main/binary-amd64/Packages", packages);
        server.put("dists/" + dist + "/main/binary-amd64/Packages.xz", packagesXz);
        for (Deb d : debs) {
            server.put(d.filename(), d.bytes());
        }
        return new Suite(release, inRelease, packages, packagesXz);
    }
}
