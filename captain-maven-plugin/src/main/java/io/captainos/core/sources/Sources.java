package io.captainos.core.sources;

import io.captainos.core.BuildConfig;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.KernelVersion;
import io.captainos.core.Settings;
import io.captainos.core.ToolsSourceKind;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.HostMirror;
import io.captainos.core.debian.InReleaseVerifier;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.kernel.DebianKernelSource;
import io.captainos.core.kernel.KernelOrgSource;
import io.captainos.core.kernel.KernelSource;
import io.captainos.core.kernel.LocalKernelSource;
import io.captainos.core.kernel.SourceUnpacker;
import io.captainos.core.tools.DebianSourceToolsSource;
import io.captainos.core.tools.DebianToolsSource;
import io.captainos.core.tools.ToolsSource;
import io.captainos.core.tools.UpstreamToolsSource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;

/** Builds the download sources a configuration names: the Debian archive and the tools source. */
public final class Sources {
    /** The host's archive keyring, used when it exists. */
    public static final Path HOST_KEYRING = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");

    private static final String BUNDLED_KEYRING = "/io/captainos/debian-archive-keyring.gpg";
    private static final String PINS = "/io/captainos/upstream-pins.properties";

    private Sources() {}

    /** The mirror setting, or the host's configured mirror, or the standard one. */
    public static String debianMirror(BuildConfig config) {
        String m = config.get(Settings.DEBIAN_MIRROR).trim();
        return m.isEmpty() ? HostMirror.detect(Path.of("/etc/apt")) : m;
    }

    /** Where the archive keyring comes from, for the log and the summary. */
    public static String keyringOrigin(BuildConfig config) {
        return String.join(", ", keyrings(config).keySet());
    }

    public static DebianArchive debian(BuildConfig config, DownloadCache cache, BuildLog log) {
        return debian(config, config.suites(), cache, log);
    }

    /** The archive of the configured mirror and keyrings, searching {@code suites}. */
    private static DebianArchive debian(BuildConfig config, List<String> suites, DownloadCache cache, BuildLog log) {
        List<PGPPublicKeyRingCollection> rings = new ArrayList<>();
        keyrings(config)
                .forEach((name, bytes) ->
                        rings.add(InReleaseVerifier.readKeyring(new ByteArrayInputStream(bytes), name)));
        return new DebianArchive(
                URI.create(debianMirror(config)),
                suites,
                config.expiredAllowed(),
                "main",
                new InReleaseVerifier(rings),
                cache,
                log);
    }

    /**
     * The archive keyring as bytes, for tools that verify the archive themselves (apt inside mkosi): the keyrings
     * of {@link #keyrings} one after the other.
     */
    public static byte[] keyringBytes(BuildConfig config) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        keyrings(config).values().forEach(all::writeBytes);
        return all.toByteArray();
    }

    /**
     * The keyrings that sign the archive, by name: the files of captain.debian.keyring, else the host's
     * debian-archive-keyring, else the one bundled with the plugin.
     */
    private static Map<String, byte[]> keyrings(BuildConfig config) {
        Map<String, byte[]> rings = new LinkedHashMap<>();
        String k = config.text(Settings.DEBIAN_KEYRING);
        if (!k.isEmpty()) {
            for (String file : k.split(",")) {
                Path p = config.path(file);
                try {
                    rings.put(p.toString(), Files.readAllBytes(p));
                } catch (IOException e) {
                    throw new CaptainException(
                            "Cannot read the keyring " + p + " named by " + Settings.DEBIAN_KEYRING.property() + ": "
                                    + e.getMessage(),
                            e);
                }
            }
            return rings;
        }
        if (Files.isRegularFile(HOST_KEYRING)) {
            try {
                rings.put(HOST_KEYRING.toString(), Files.readAllBytes(HOST_KEYRING));
                return rings;
            } catch (IOException e) {
                // fall back to the bundled keyring
            }
        }
        try (InputStream in = Sources.class.getResourceAsStream(BUNDLED_KEYRING)) {
            if (in == null) {
                throw new IOException(BUNDLED_KEYRING + " is not in the plugin jar");
            }
            rings.put("bundled debian-archive-keyring.gpg", in.readAllBytes());
        } catch (IOException e) {
            throw new CaptainException("Cannot read the bundled Debian keyring: " + e.getMessage(), e);
        }
        return rings;
    }

    /** The kernel source a configuration names: a local tree when captain.kernel.src is set. */
    public static KernelSource kernel(BuildConfig config, DownloadCache cache, CommandRunner runner, BuildLog log) {
        String src = config.get(Settings.KERNEL_SRC).trim();
        if (!src.isEmpty()) {
            return new LocalKernelSource(config.path(src));
        }
        Path scratch = cache.dir("kernel-scratch");
        SourceUnpacker unpacker = new SourceUnpacker(cache.dir("kernel-src"), runner, log);
        String version = config.get(Settings.KERNEL_VERSION).trim();
        switch (config.kernelSource()) {
            case KERNEL_ORG:
                String pinKey = KernelVersion.parse(version).kernelOrgDir() + "/linux-" + version + ".tar.xz";
                return new KernelOrgSource(
                        version,
                        URI.create(config.get(Settings.KERNEL_MIRROR)),
                        pins().get(pinKey),
                        cache,
                        scratch,
                        unpacker,
                        log);
            case DEBIAN:
                return new DebianKernelSource(debian(config, cache, log), version, scratch, unpacker);
            default:
                throw new CaptainException("The " + config.kernelSource().id() + " kernel source has no source tree");
        }
    }

    /** @param runner runs the compile of the debian-source kind */
    public static ToolsSource tools(BuildConfig config, DownloadCache cache, CommandRunner runner, BuildLog log) {
        if (config.toolsSource() == ToolsSourceKind.DEBIAN) {
            return new DebianToolsSource(debian(config, config.toolsSuites(), cache, log));
        }
        if (config.toolsSource() == ToolsSourceKind.DEBIAN_SOURCE) {
            return new DebianSourceToolsSource(
                    debian(config, config.toolsSuites(), cache, log),
                    runner,
                    cache.dir("debian", "go"),
                    cache.dir("go-build"),
                    config.lockTimeout(),
                    log);
        }
        return new UpstreamToolsSource(
                UpstreamToolsSource.components(
                        config.get(Settings.CONTAINERD_VERSION),
                        config.get(Settings.RUNC_VERSION),
                        config.get(Settings.NERDCTL_VERSION),
                        config.get(Settings.CNI_VERSION)),
                URI.create(config.get(Settings.TOOLS_MIRROR)),
                pins(),
                cache,
                log);
    }

    /** Digests of upstream assets recorded in the repository, by asset file name. */
    public static Map<String, String> pins() {
        Properties p = new Properties();
        try (InputStream in = Sources.class.getResourceAsStream(PINS)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + PINS + ": " + e.getMessage(), e);
        }
        Map<String, String> pins = new TreeMap<>();
        p.forEach((k, v) -> pins.put(k.toString(), v.toString().trim().toLowerCase()));
        return pins;
    }
}
