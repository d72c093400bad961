package io.captainos.core.tools;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.fetch.ChecksumFile;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.fetch.Downloader;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.fetch.VerificationException;
import io.captainos.core.state.InputHash;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The upstream release binaries of containerd, runc, nerdctl and the CNI plugins. Each asset is verified against
 * the checksum file its release publishes and, where the repository pins a digest for it, against that pin too.
 */
public final class UpstreamToolsSource implements ToolsSource {
    private final List<UpstreamComponent> components;
    private final URI base;
    private final Map<String, String> pins;
    private final DownloadCache cache;
    private final BuildLog log;
    private final Map<String, String> digests = new HashMap<>();

    public UpstreamToolsSource(
            List<UpstreamComponent> components, URI base, Map<String, String> pins, DownloadCache cache, BuildLog log) {
        String b = base.toString();
        this.base = URI.create(b.endsWith("/") ? b : b + "/");
        this.components = List.copyOf(components);
        this.pins = Map.copyOf(pins);
        this.cache = cache;
        this.log = log;
    }

    /** The components at the given versions, with the release layout each project uses. */
    public static List<UpstreamComponent> components(String containerd, String runc, String nerdctl, String cni) {
        Map<String, String> containerdBins = new LinkedHashMap<>();
        for (String b : BundleLayout.CONTAINERD) {
            containerdBins.put("bin/" + b, BundleLayout.BIN + b);
        }
        Map<String, String> cniBins = new LinkedHashMap<>();
        for (String b : BundleLayout.CNI_PLUGINS) {
            cniBins.put(b, BundleLayout.CNI + b);
        }
        return List.of(
                new UpstreamComponent(
                        "containerd",
                        containerd,
                        "containerd-{v}-linux-{arch}.tar.gz",
                        "containerd-{v}-linux-{arch}.tar.gz.sha256sum",
                        "containerd/containerd/releases/download/v{v}/",
                        containerdBins),
                new UpstreamComponent(
                        "runc",
                        runc,
                        "runc.{arch}",
                        "runc.sha256sum",
                        "opencontainers/runc/releases/download/v{v}/",
                        Map.of("runc", BundleLayout.BIN + "runc")),
                new UpstreamComponent(
                        "nerdctl",
                        nerdctl,
                        "nerdctl-{v}-linux-{arch}.tar.gz",
                        "SHA256SUMS",
                        "containerd/nerdctl/releases/download/v{v}/",
                        Map.of("nerdctl", BundleLayout.BIN + "nerdctl")),
                new UpstreamComponent(
                        "cni-plugins",
                        cni,
                        "cni-plugins-linux-{arch}-v{v}.tgz",
                        "cni-plugins-linux-{arch}-v{v}.tgz.sha256",
                        "containernetworking/plugins/releases/download/v{v}/",
                        cniBins));
    }

    @Override
    public String id() {
        return "upstream";
    }

    /** The key of an asset in the pins: its path under the release base, unique across versions. */
    public static String pinKey(UpstreamComponent c, Arch arch) {
        return c.releaseDir() + c.asset(arch);
    }

    /** Each asset by its verified digest: a re-published asset rebuilds the bundle. */
    @Override
    public void describe(Arch arch, InputHash inputs) {
        inputs.value("upstream.base", base);
        Path scratch = cache.dir("upstream-scratch");
        for (UpstreamComponent c : components) {
            inputs.value(
                    "upstream." + c.name(),
                    c.version() + " " + c.asset(arch) + " sha256=" + expectedDigest(c, arch, scratch));
        }
    }

    @Override
    public List<ToolFile> stage(Arch arch, Path root, Path scratch) {
        List<ToolFile> files = new ArrayList<>();
        for (UpstreamComponent c : components) {
            String asset = c.asset(arch);
            URI url = base.resolve(c.releaseDir() + asset);
            Path file = cache.get(url, asset, expectedDigest(c, arch, scratch));
            Map<String, Path> placed = c.rawBinary()
                    ? Map.of(c.members().keySet().iterator().next(), file)
                    : unpack(file, c.members().keySet(), scratch.resolve(c.name()), url);
            for (Map.Entry<String, String> m : c.members().entrySet()) {
                Path src = placed.get(m.getKey());
                if (src == null) {
                    throw new CaptainException(url + " has no " + m.getKey() + ": the release layout changed");
                }
                Path dest = root.resolve(m.getValue());
                try {
                    Files.createDirectories(dest.getParent());
                    Files.copy(src, dest, StandardCopyOption.REPLACE_EXISTING);
                    files.add(new ToolFile(m.getValue(), c.name(), c.version(), "upstream:" + asset, Sha256.of(dest)));
                } catch (IOException e) {
                    throw new CaptainException("Cannot stage " + dest + ": " + e.getMessage(), e);
                }
            }
        }
        return files;
    }

    /** The digest the release's checksum file lists for the asset, checked against the pin when there is one. */
    private String expectedDigest(UpstreamComponent c, Arch arch, Path scratch) {
        String key = pinKey(c, arch);
        String known = digests.get(key);
        if (known != null) {
            return known;
        }
        String digest = fetchDigest(c, arch, scratch);
        digests.put(key, digest);
        return digest;
    }

    private String fetchDigest(UpstreamComponent c, Arch arch, Path scratch) {
        String asset = c.asset(arch);
        URI sumsUrl = base.resolve(c.releaseDir() + c.checksumFile(arch));
        String pin = pins.get(pinKey(c, arch));
        String published;
        try {
            published = ChecksumFile.digestOf(
                    new String(cache.fetchKept(sumsUrl, scratch), StandardCharsets.UTF_8), asset, sumsUrl.toString());
        } catch (Downloader.NotFoundException e) {
            throw new CaptainException(
                    "The release of " + c.name() + " " + c.version() + " publishes no checksum" + " file at " + sumsUrl
                            + ": check the version and captain.tools.mirror",
                    e);
        } catch (VerificationException e) {
            throw e;
        } catch (CaptainException e) {
            if (pin == null) {
                throw e;
            }
            log.warn("Cannot fetch " + sumsUrl + " (" + e.getMessage() + "): using the pinned digest of " + asset);
            return pin;
        }
        if (pin == null) {
            log.info("No pinned digest for " + asset + ": trusting the published " + published
                    + " (pin it in upstream-pins.properties as " + pinKey(c, arch) + ")");
        } else if (!pin.equals(published)) {
            throw new VerificationException("The published SHA-256 of " + asset + " (" + published + ", from " + sumsUrl
                    + ") differs from the pinned " + pin + ": the release or the mirror changed the file");
        }
        return published;
    }

    private static Map<String, Path> unpack(Path archive, Set<String> wanted, Path into, URI url) {
        Map<String, Path> found = new HashMap<>();
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
                TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(raw))) {
            Files.createDirectories(into);
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                if (e.isFile() && wanted.contains(name)) {
                    Path out = into.resolve(name.replace('/', '_'));
                    Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
                    found.put(name, out);
                }
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot unpack " + archive + " (from " + url + "): " + e.getMessage(), e);
        }
        return found;
    }
}
