package io.captainos.core.fetch;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Verified files kept by their SHA-256: {@code <root>/sha256/<digest>/<name>}. A cached file is checked again
 * before it is handed out; one that no longer matches is deleted and fetched anew.
 */
public final class DownloadCache {
    private final Path root;
    private final Downloader downloader;
    private final BuildLog log;

    public DownloadCache(Path root, Downloader downloader, BuildLog log) {
        this.root = root;
        this.downloader = downloader;
        this.log = log;
    }

    public Path root() {
        return root;
    }

    public Downloader downloader() {
        return downloader;
    }

    /** The verified file with this digest, downloaded from {@code url} when it is not cached yet. */
    public Path get(URI url, String name, String sha256) {
        String digest = Sha256.normalize(sha256, name);
        Path file = root.resolve("sha256").resolve(digest).resolve(name);
        try {
            if (Files.isRegularFile(file)) {
                String actual = Sha256.of(file);
                if (actual.equals(digest)) {
                    log.debug("cached: " + file);
                    return file;
                }
                log.warn("Cached " + file + " does not match its digest (got " + actual + "): fetching it again");
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot read the download cache at " + file + ": " + e.getMessage(), e);
        }
        log.info("Downloading " + url);
        downloader.download(url, file, digest);
        return file;
    }

    /**
     * A small file that is not content-addressed, such as a release's checksum list: fetched when online and kept
     * under {@code lists/}, so an offline build (Maven's {@code -o}) reads the copy of its last online run.
     */
    public byte[] fetchKept(URI url, Path scratch) {
        String path = url.getPath() == null ? "" : url.getPath();
        Path kept = dir(
                "lists",
                Sha256.of(url.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16),
                path.substring(path.lastIndexOf('/') + 1) + ".kept");
        if (downloader.isOffline()) {
            try {
                byte[] b = Files.readAllBytes(kept);
                log.info("offline: using the copy of " + url + " kept in " + kept);
                return b;
            } catch (IOException e) {
                throw new Downloader.OfflineException("Maven is offline (-o) and " + url + " was never kept in the"
                        + " download cache (" + kept + "): run the build once without -o to fill the cache");
            }
        }
        byte[] b = downloader.fetch(url, scratch);
        Files2.writeAtomically(kept, b);
        return b;
    }

    /** A folder in the cache for files that are not content-addressed (signed indexes). */
    public Path dir(String... parts) {
        Path p = root;
        for (String part : parts) {
            p = p.resolve(part.replaceAll("[^A-Za-z0-9._-]", "_"));
        }
        return p;
    }
}
