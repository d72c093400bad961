package io.captainos.core.iso;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.Files2;
import io.captainos.core.KernelVersion;
import io.captainos.core.ReleaseFiles.Kind;
import io.captainos.core.exec.Command;
import io.captainos.core.exec.CommandRunner;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.state.InputHash;
import io.captainos.core.state.StageOutputs;
import io.captainos.core.state.StageWork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds the bootable ISO for one arch with grub-mkrescue: {@code /boot/vmlinuz}, {@code /boot/initramfs} and a
 * grub.cfg with the serial console and the command line placeholder, for UEFI (and legacy BIOS on amd64 when the
 * host has GRUB's i386-pc modules). The finished image must carry smee's magic string exactly once, or the build
 * fails before the ISO takes its name. Publishes {@code out/captainos-<kver>-<arch>.iso} and
 * {@code out/sha256sums-<kver>-<arch>.txt}. The pipeline skips it when the digest of its inputs matches the last build.
 */
public final class IsoStage {
    /** The ISO's role in the outputs. */
    public static final String ISO = "iso";
    /** The role of the sha256sums of vmlinuz, initramfs and ISO. */
    public static final String CHECKSUMS = "checksums";

    private final Path workDir;
    private final long timestamp;
    private final String builderId;
    private final CommandRunner runner;
    private final BuildLog log;

    public IsoStage(Path workDir, long timestamp, String builderId, CommandRunner runner, BuildLog log) {
        this.workDir = workDir;
        this.timestamp = timestamp;
        this.builderId = builderId;
        this.runner = runner;
        this.log = log;
    }

    /** The stage's files for an arch: the ISO and its sha256sums, both attached and published. */
    public static StageOutputs outputs(Path workDir, Arch arch) {
        return new StageOutputs(
                "iso",
                arch,
                "ISO",
                workDir.resolve(arch.linux()),
                true,
                List.of(
                        StageOutputs.File.attached(ISO, "captainos-" + arch.linux() + ".iso", "iso", arch.classifier())
                                .published(Kind.ISO),
                        StageOutputs.File.attached(CHECKSUMS, "sha256sums.txt", "txt", arch.classifier("sha256sums"))
                                .published(Kind.SHA256SUMS)));
    }

    /** {@code 6.12.57} from the first lines of a kernel config ({@code # Linux/x86 6.12.57 Kernel Configuration}). */
    public static String kernelVersion(Path config) {
        try (Stream<String> lines = Files.lines(config)) {
            return lines.limit(10)
                    .map(l -> l.matches("# Linux/\\S+ (\\S+) Kernel Configuration") ? l.split(" ")[2] : null)
                    .filter(v -> v != null)
                    .findFirst()
                    .map(v -> KernelVersion.leading(v)
                            .map(KernelVersion::toString)
                            .orElse(v))
                    .orElseThrow(() -> new CaptainException(config + " has no '# Linux/<arch> <version> Kernel"
                            + " Configuration' line: is it the config artifact of captainos-kernel?"));
        } catch (IOException e) {
            throw new CaptainException("Cannot read " + config + ": " + e.getMessage(), e);
        }
    }

    /**
     * The ISO for one arch.
     *
     * @param grubDirs the GRUB platform folders to build for (e.g. {@code /usr/lib/grub/x86_64-efi})
     */
    public StageWork forArch(Arch arch, String kernelVersion, Path vmlinuz, Path initramfs, List<Path> grubDirs) {
        StageOutputs out = outputs(workDir, arch);
        return new StageWork(out) {
            @Override
            public InputHash inputs() {
                InputHash inputs = stageInputs()
                        .value("kernel.version", kernelVersion)
                        .value("timestamp", timestamp)
                        .value("builder", builderId)
                        .value("grub.cfg", GrubConfig.render(arch))
                        .path("vmlinuz", vmlinuz)
                        .path("initramfs", initramfs);
                for (Path g : grubDirs) {
                    // GRUB's modules on this host, or in the builder image, whose ID stands for them.
                    Path modinfo = g.resolve("modinfo.sh");
                    if (Files.isRegularFile(modinfo)) {
                        inputs.path("grub/" + g.getFileName(), modinfo);
                    } else {
                        inputs.value("grub/" + g.getFileName(), runner.identity());
                    }
                }
                return inputs;
            }

            @Override
            public String plan() {
                return "building with grub-mkrescue for "
                        + grubDirs.stream().map(p -> p.getFileName().toString()).toList();
            }

            @Override
            public String build() throws IOException {
                make(arch, out, kernelVersion, vmlinuz, initramfs, grubDirs);
                return kernelVersion;
            }
        };
    }

    private void make(
            Arch arch, StageOutputs out, String kernelVersion, Path vmlinuz, Path initramfs, List<Path> grubDirs)
            throws IOException {
        Path dir = out.dir();
        Path staging = dir.resolve("staging");
        Files2.deleteTree(staging);
        Path partial = Files2.temporaryFile(out.path(ISO));
        try {
            Files.createDirectories(staging.resolve("boot/grub"));
            Files.copy(vmlinuz, staging.resolve("boot/vmlinuz"));
            Files.copy(initramfs, staging.resolve("boot/initramfs"));
            Files.writeString(staging.resolve("boot/grub/grub.cfg"), GrubConfig.render(arch));
            try (Stream<Path> s = Files.walk(staging)) {
                for (Path p : s.toList()) {
                    Files.setLastModifiedTime(p, FileTime.fromMillis(timestamp * 1000));
                }
            }
            Files.deleteIfExists(partial);
            runner.run(command(grubDirs, staging, partial, fixedSerialMformat(dir)));
            requireOnePlaceholder(arch, partial);
            Files2.commit(partial, out.path(ISO));
            Files2.writeAtomically(
                    out.path(CHECKSUMS),
                    line(vmlinuz, Kind.VMLINUZ.fileName(kernelVersion, arch))
                            + line(initramfs, Kind.INITRAMFS.fileName(kernelVersion, arch))
                            + line(out.path(ISO), Kind.ISO.fileName(kernelVersion, arch)));
            log.info(String.format(
                    "iso (%s): %s, %.1f MB",
                    arch.linux(), Kind.ISO.fileName(kernelVersion, arch), Files.size(out.path(ISO)) / 1e6));
        } finally {
            Files2.deleteQuietly(partial);
            Files2.deleteTree(staging);
        }
    }

    /** smee patches the first copy of its magic string it finds: the image must carry it, and only once. */
    private static void requireOnePlaceholder(Arch arch, Path image) {
        List<Long> found = IsoPatch.placeholderOffsets(image);
        String what = "iso (" + arch.linux() + "): the image grub-mkrescue wrote ";
        if (found.isEmpty()) {
            throw new CaptainException(what + "does not carry smee's magic string, so a provisioning server could"
                    + " not patch its command line: grub.cfg must be stored as plain bytes; check grub-mkrescue's"
                    + " and xorriso's versions");
        }
        if (found.size() > 1) {
            throw new CaptainException(what + "carries smee's magic string " + found.size() + " times (at bytes "
                    + found + "), expected once: smee would patch only the first; vmlinuz and the initramfs must"
                    + " not contain the string");
        }
    }

    private static String line(Path file, String name) throws IOException {
        return Sha256.of(file) + "  " + name + "\n";
    }

    /**
     * grub-mkrescue formats its EFI system partition image with mformat, which picks a random volume serial: the
     * only part of the ISO that differed between two builds. A wrapper first on PATH passes a serial derived from
     * the timestamp instead.
     */
    private Path fixedSerialMformat(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path wrapper = bin.resolve("mformat");
        // The wrapper's folder is first on PATH: without it, the name finds the real mformat, wherever it runs.
        Files.writeString(
                wrapper,
                "#!/bin/sh\nPATH=\"${PATH#*:}\" exec mformat -N " + String.format("%08x", timestamp & 0xffffffffL)
                        + " \"$@\"\n");
        Files.setPosixFilePermissions(wrapper, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /**
     * grub-mkrescue with fixed dates: the volume's, every file's, and the GPT GUIDs derived from the volume date;
     * and, through faketime, the clock it reads itself (frozen at the timestamp): GRUB 2.12 names a
     * {@code <now>.uuid} file on the ISO after the time it runs, which SOURCE_DATE_EPOCH does not change.
     */
    private Command command(List<Path> grubDirs, Path staging, Path target, Path wrappers) {
        String date = DateTimeFormatter.ofPattern("yyyyMMddHHmmss")
                        .withZone(ZoneOffset.UTC)
                        .format(Instant.ofEpochSecond(timestamp))
                + "00";
        String clock = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
                .withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochSecond(timestamp));
        List<String> args = new ArrayList<>(List.of("faketime", "-f", clock, "grub-mkrescue", "--output=" + target));
        if (grubDirs.size() == 1) {
            args.add("--directory=" + grubDirs.get(0));
        }
        args.add(staging.toString());
        args.addAll(List.of(
                "--",
                "-volid",
                "CAPTAINOS",
                "-volume_date",
                "uuid",
                date,
                "-volume_date",
                "all_file_dates",
                "=" + timestamp,
                "-volume_date",
                "c",
                "=" + timestamp,
                "-volume_date",
                "m",
                "=" + timestamp,
                "-volume_date",
                "x",
                "=" + timestamp,
                "-volume_date",
                "f",
                "=" + timestamp));
        return new Command(
                args,
                staging.getParent(),
                Map.of(
                        "SOURCE_DATE_EPOCH",
                        Long.toString(timestamp),
                        "TZ",
                        "UTC",
                        "PATH",
                        wrappers + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin")));
    }
}
