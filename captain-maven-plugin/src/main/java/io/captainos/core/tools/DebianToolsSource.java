package io.captainos.core.tools;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import io.captainos.core.debian.DebExtractor;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.state.InputHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * containerd (with ctr), runc and the CNI plugins from Debian packages of the target arch, verified through the
 * archive's signatures. Debian does not package nerdctl: a bundle from this source has none.
 */
public final class DebianToolsSource implements ToolsSource {
    /** Package name, then the binaries it provides and where they go in the bundle. */
    private static final Map<String, Map<String, String>> PACKAGES = layout();

    private static Map<String, Map<String, String>> layout() {
        Map<String, Map<String, String>> packages = new LinkedHashMap<>();
        packages.put("containerd", BundleLayout.place(BundleLayout.BIN, BundleLayout.CONTAINERD));
        packages.put("runc", BundleLayout.place(BundleLayout.BIN, List.of("runc")));
        packages.put("containernetworking-plugins", BundleLayout.place(BundleLayout.CNI, BundleLayout.CNI_PLUGINS));
        return Collections.unmodifiableMap(packages);
    }

    private final DebianArchive archive;
    private final List<String> names;
    private final Map<Arch, List<DebianPackage>> resolved = new HashMap<>();

    public DebianToolsSource(DebianArchive archive) {
        this(archive, true);
    }

    /** @param withContainerd false for runc and the CNI plugins only, when containerd comes from elsewhere */
    public DebianToolsSource(DebianArchive archive, boolean withContainerd) {
        this.archive = archive;
        this.names = PACKAGES.keySet().stream()
                .filter(n -> withContainerd || !n.equals("containerd"))
                .toList();
    }

    @Override
    public String id() {
        return "debian";
    }

    private List<DebianPackage> packages(Arch arch) {
        return resolved.computeIfAbsent(arch, a -> archive.resolve(a.debian(), names));
    }

    @Override
    public void describe(Arch arch, InputHash inputs) {
        inputs.value("debian.mirror", archive.mirror());
        for (DebianPackage p : packages(arch)) {
            // the suite is named in the bundle's manifest
            inputs.value("deb." + p.name(), p.version() + " " + p.architecture() + " " + p.sha256() + " " + p.suite());
        }
    }

    @Override
    public List<ToolFile> stage(Arch arch, Path root, Path scratch) {
        List<ToolFile> files = new ArrayList<>();
        for (DebianPackage p : packages(arch)) {
            Path deb = archive.download(p);
            Path unpacked = scratch.resolve(p.name());
            DebExtractor.extract(deb, unpacked);
            for (Map.Entry<String, String> e : PACKAGES.get(p.name()).entrySet()) {
                Path found = find(unpacked, e.getKey())
                        .orElseThrow(
                                () -> new CaptainException(
                                        "Debian package "
                                                + p.name() + " " + p.version() + " (" + p.architecture() + ") has no "
                                                + e.getKey()
                                                + " binary: the package layout changed; pick another version with captain.debian.suites"));
                Path dest = root.resolve(e.getValue());
                try {
                    Files.createDirectories(dest.getParent());
                    Files.copy(found, dest, StandardCopyOption.REPLACE_EXISTING);
                    files.add(new ToolFile(
                            e.getValue(),
                            p.name(),
                            p.version(),
                            "debian:" + p.suite() + "/" + p.debName(),
                            Sha256.of(dest)));
                } catch (IOException ex) {
                    throw new CaptainException("Cannot stage " + dest + ": " + ex.getMessage(), ex);
                }
            }
        }
        return files;
    }

    /** The regular file of that name in a bin, sbin or lib/cni folder of the unpacked package. */
    private static Optional<Path> find(Path unpacked, String name) {
        try (Stream<Path> s = Files.walk(unpacked)) {
            return s.filter(p -> p.getFileName().toString().equals(name))
                    .filter(p -> Files.isRegularFile(p) && !Files.isSymbolicLink(p))
                    .filter(p -> {
                        String dir = unpacked.relativize(p.getParent()).toString();
                        return dir.endsWith("bin") || dir.endsWith("cni");
                    })
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            throw new CaptainException("Cannot search " + unpacked + ": " + e.getMessage(), e);
        }
    }
}
