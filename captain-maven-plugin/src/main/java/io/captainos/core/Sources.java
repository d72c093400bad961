package io.captainos.core;

import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.HostMirror;
import io.captainos.core.debian.InReleaseVerifier;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.fetch.DownloadCache;
import io.captainos.core.kernel.DebianKernelSource;
import io.captainos.core.kernel.KernelOrgSource;
import io.captainos.core.kernel.KernelSource;
import io.captainos.core.kernel.KernelVersions;
import io.captainos.core.kernel.LocalKernelSource;
import io.captainos.core.kernel.SourceUnpacker;
import io.captainos.core.tools.DebianToolsSource;
import io.captainos.core.tools.ToolsSource;
import io.captainos.core.tools.UpstreamToolsSource;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
        String k = config.get(Settings.DEBIAN_KEYRING).trim();
        if (!k.isEmpty()) {
            return k;
        }
        return Files.isRegularFile(HOST_KEYRING) ? HOST_KEYRING.toString() : "bundled debian-archive-keyring.gpg";
    }

    public static DebianArchive debian(BuildConfig config, DownloadCache cache, BuildLog log) {
        List<String> suites = Arrays.stream(config.get(Settings.DEBIAN_SUITES).split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (suites.isEmpty()) {
            throw new CaptainException("captain.debian.suites is empty: name at least one suite, e.g. trixie");
        }
        return new DebianArchive(URI.create(debianMirror(config)), suites, "main",
                new InReleaseVerifier(keyrings(config)), cache, log);
    }

    private static List<PGPPublicKeyRingCollection> keyrings(BuildConfig config) {
        List<PGPPublicKeyRingCollection> rings = new ArrayList<>();
        String k = config.get(Settings.DEBIAN_KEYRING).trim();
        if (!k.isEmpty()) {
            for (String file : k.split(",")) {
                Path p = config.path(file);
                try (InputStream in = Files.newInputStream(p)) {
                    rings.add(InReleaseVerifier.readKeyring(in, p.toString()));
                } catch (IOException e) {
                    throw new CaptainException("Cannot read the keyring " + p + " named by "
                            + Settings.DEBIAN_KEYRING.property() + ": " + e.getMessage(), e);
                }
            }
            return rings;
        }
        if (Files.isRegularFile(HOST_KEYRING)) {
            try (InputStream in = Files.newInputStream(HOST_KEYRING)) {
                rings.add(InReleaseVerifier.readKeyring(in, HOST_KEYRING.toString()));
                return rings;
            } catch (IOException e) {
                // fall back to the bundled keyring
            }
        }
        try (InputStream in = Sources.class.getResourceAsStream(BUNDLED_KEYRING)) {
            rings.add(InReleaseVerifier.readKeyring(in, "bundled debian-archive-keyring.gpg"));
        } catch (IOException e) {
            throw new CaptainException("Cannot read the bundled Debian keyring: " + e.getMessage(), e);
        }
        return rings;
    }

    /**
     * The archive keyring as bytes, for tools that verify the archive themselves (apt inside mkosi): the files of
     * captain.debian.keyring, else the host's keyring, else the bundled one.
     */
    public static byte[] keyringBytes(BuildConfig config) {
        try {
            String k = config.get(Settings.DEBIAN_KEYRING).trim();
            if (!k.isEmpty()) {
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                for (String file : k.split(",")) {
                    all.write(Files.readAllBytes(config.path(file)));
                }
                return all.toByteArray();
            }
            if (Files.isRegularFile(HOST_KEYRING)) {
                return Files.readAllBytes(HOST_KEYRING);
            }
            try (InputStream in = Sources.class.getResourceAsStream(BUNDLED_KEYRING)) {
                return in.readAllBytes();
            }
        } catch (IOException e) {
            throw new CaptainException("Cannot read the Debian archive keyring: " + e.getMessage(), e);
        }
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
            case "kernel.org":
                String pinKey = KernelVersions.kernelOrgDir(version) + "/linux-" + version + ".tar.xz";
                return new KernelOrgSource(version, URI.create(config.get(Settings.KERNEL_MIRROR)), pins().get(pinKey),
                        cache, scratch, unpacker, log);
            case "debian":
                return new DebianKernelSource(debian(config, cache, log), version, scratch, unpacker);
            default:
                throw new CaptainException("The " + config.kernelSource() + " kernel source has no source tree");
        }
    }

    public static ToolsSource tools(BuildConfig config, DownloadCache cache, BuildLog log) {
        if (config.toolsSource().equals("debian")) {
            return new DebianToolsSource(debian(config, cache, log));
        }
        return new UpstreamToolsSource(UpstreamToolsSource.components(config.get(Settings.CONTAINERD_VERSION),
                config.get(Settings.RUNC_VERSION), config.get(Settings.NERDCTL_VERSION),
                config.get(Settings.CNI_VERSION)), URI.create(config.get(Settings.TOOLS_MIRROR)), pins(), cache, log);
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
