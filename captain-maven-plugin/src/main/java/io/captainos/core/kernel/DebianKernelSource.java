package io.captainos.core.kernel;

import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.KernelVersion;
import io.captainos.core.debian.DebExtractor;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import io.captainos.core.state.InputHash;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The kernel source tarball of Debian's {@code linux-source-<major.minor>} package (Debian's patches applied),
 * verified through the archive's signatures. A branch picks the newest version; an exact version must be listed.
 */
public final class DebianKernelSource implements KernelSource {
    private final DebianArchive archive;
    private final String version;
    private final Path scratch;
    private final SourceUnpacker unpacker;
    private DebianPackage resolved;

    public DebianKernelSource(DebianArchive archive, String version, Path scratch, SourceUnpacker unpacker) {
        this.archive = archive;
        this.version = version;
        this.scratch = scratch;
        this.unpacker = unpacker;
    }

    @Override
    public String id() {
        return "debian";
    }

    /** The package that holds the source of the configured version. */
    public DebianPackage pkg() {
        if (resolved == null) {
            String name = "linux-source-" + KernelVersion.parse(version).majorMinor();
            List<DebianPackage> all = archive.versions("amd64", name);
            if (all.isEmpty()) {
                throw new CaptainException("Debian has no " + name + " in the configured suites: use a branch Debian"
                        + " ships (6.12 in trixie), or -Dcaptain.kernel.source=kernel.org for " + version);
            }
            if (KernelVersion.parse(version).isBranch()) {
                resolved = all.get(all.size() - 1);
            } else {
                resolved = all.stream()
                        .filter(p -> p.version().split("-")[0].equals(version))
                        .reduce((a, b) -> b)
                        .orElseThrow(() -> new CaptainException("Debian's " + name + " has no version " + version
                                + ": available "
                                + all.stream().map(DebianPackage::version).collect(Collectors.joining(", "))));
            }
        }
        return resolved;
    }

    @Override
    public void describe(InputHash inputs) {
        inputs.value("kernel.source", "debian " + pkg().name() + " " + pkg().version() + " " + pkg().sha256());
    }

    @Override
    public KernelTree prepare() {
        DebianPackage p = pkg();
        Optional<KernelTree> done = unpacker.find(p.sha256());
        if (done.isPresent()) {
            return done.get();
        }
        Path deb = archive.download(p);
        Path dir = scratch.resolve(p.name());
        Files2.deleteTree(dir);
        try {
            DebExtractor.extract(deb, dir);
            Path tarball;
            try (Stream<Path> s = Files.walk(dir)) {
                tarball = s.filter(f -> f.getFileName().toString().matches("linux-source-.*\\.tar\\.(xz|zst|gz|bz2)"))
                        .findFirst()
                        .orElseThrow(() -> new CaptainException(
                                p.debName() + " holds no linux-source tarball: the package layout changed"));
            } catch (IOException e) {
                throw new CaptainException("Cannot search " + dir + ": " + e.getMessage(), e);
            }
            return unpacker.unpack(tarball, p.sha256());
        } finally {
            Files2.deleteTree(dir);
        }
    }
}
