package io.captainos.core.kernel;

import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.KernelVersion;
import io.captainos.core.fetch.ChecksumFile;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.fetch.VerificationException;
import io.captainos.core.state.InputHash;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * {@code linux-<version>.tar.xz} from kernel.org (or a mirror with its layout), verified against the
 * {@code sha256sums.asc} kernel.org publishes in the same folder and against the digest pinned in the repository
 * when there is one.
 */
public final class KernelOrgSource implements KernelSource {
    private final String version;
    private final URI mirror;
    private final String pin;
    private final DownloadCache cache;
    private final Path scratch;
    private final SourceUnpacker unpacker;
    private final BuildLog log;
    private String digest;

    public KernelOrgSource(
            String version,
            URI mirror,
            String pin,
            DownloadCache cache,
            Path scratch,
            SourceUnpacker unpacker,
            BuildLog log) {
        if (KernelVersion.parse(version).isBranch()) {
            throw new CaptainException("kernel.org needs an exact version, not the branch '" + version
                    + "': set captain.kernel.version, e.g. 6.18.16");
        }
        String m = mirror.toString();
        this.mirror = URI.create(m.endsWith("/") ? m : m + "/");
        this.version = version;
        this.pin = pin;
        this.cache = cache;
        this.scratch = scratch;
        this.unpacker = unpacker;
        this.log = log;
    }

    @Override
    public String id() {
        return "kernel.org";
    }

    private String asset() {
        return "linux-" + version + ".tar.xz";
    }

    private String dir() {
        return KernelVersion.parse(version).kernelOrgDir() + "/";
    }

    /** The published digest of the tarball, checked against the pin. */
    String digest() {
        if (digest != null) {
            return digest;
        }
        URI sums = mirror.resolve(dir() + "sha256sums.asc");
        String published;
        try {
            published = ChecksumFile.digestOf(
                    new String(cache.fetchKept(sums, scratch), StandardCharsets.UTF_8), asset(), sums.toString());
        } catch (Downloader.NotFoundException | VerificationException e) {
            throw e;
        } catch (CaptainException e) {
            if (pin == null) {
                throw e;
            }
            log.warn("Cannot fetch " + sums + " (" + e.getMessage() + "): using the pinned digest of " + asset());
            return digest = pin;
        }
        if (pin != null && !pin.equals(published)) {
            throw new VerificationException("The published SHA-256 of " + asset() + " (" + published + ", from " + sums
                    + ") differs from the pinned " + pin);
        }
        if (pin == null) {
            log.info("No pinned digest for " + asset() + ": trusting the published " + published);
        }
        return digest = published;
    }

    @Override
    public void describe(InputHash inputs) {
        inputs.value("kernel.source", "kernel.org " + asset() + " " + digest());
    }

    @Override
    public KernelTree prepare() {
        Optional<KernelTree> done = unpacker.find(digest());
        if (done.isPresent()) {
            return done.get();
        }
        Path tarball = cache.get(mirror.resolve(dir() + asset()), asset(), digest());
        return unpacker.unpack(tarball, digest());
    }
}
