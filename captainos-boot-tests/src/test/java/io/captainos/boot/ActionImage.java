package io.captainos.boot;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.BuildLog;
import io.captainos.core.Settings;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.sources.Sources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A provisioning action image made here from Debian packages: trixie's {@code busybox-static} for the guest's arch,
 * fetched and verified by the build's own Debian client and download cache, as {@code bin/busybox} with
 * {@code bin/sh} beside it. Actions run it as {@code /bin/busybox sh -c <script>}.
 */
final class ActionImage {
    private ActionImage() {}

    /** The image's files, path to content. */
    static Map<String, byte[]> files(Arch arch, Path work) throws IOException {
        // The build's own Debian client and settings: the host's mirror and keyring, the default suites.
        Path cache = Path.of(System.getProperty("user.home"), ".m2/repository/.cache/captainos");
        DebianArchive debian = Sources.debian(
                new BuildConfig(Settings.of(Map.of())),
                new DownloadCache(cache, new Downloader(BuildLog.silent()), BuildLog.silent()),
                BuildLog.silent());
        DebianPackage busybox =
                debian.resolve(arch.debian(), List.of("busybox-static")).get(0);
        Path tree = debian.unpacked(busybox, Files.createDirectories(work));
        for (String candidate : List.of("usr/bin/busybox", "bin/busybox")) {
            Path p = tree.resolve(candidate);
            if (Files.isRegularFile(p)) {
                byte[] binary = Files.readAllBytes(p);
                return Map.of("bin/busybox", binary, "bin/sh", binary);
            }
        }
        throw new IOException("busybox-static " + busybox.version() + " has no busybox binary in " + tree);
    }
}
