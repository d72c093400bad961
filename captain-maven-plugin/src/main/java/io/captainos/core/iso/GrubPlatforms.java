package io.captainos.core.iso;

import io.captainos.core.Arch;
import io.captainos.core.BuildLog;
import io.captainos.core.CaptainException;
import io.captainos.core.debian.DebianArchive;
import io.captainos.core.debian.DebianPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The GRUB platform module folders an ISO is built for: {@code x86_64-efi} (and {@code i386-pc} when the host has
 * it, for legacy BIOS) on amd64; {@code arm64-efi} on arm64, from the host or else from Debian's arm64
 * {@code grub-efi-arm64-bin} package, fetched through the verified client.
 */
public final class GrubPlatforms {
    private final Path hostGrub;
    private final Path cacheDir;
    private final Supplier<DebianArchive> debian;
    private final boolean inBuilder;
    private final BuildLog log;

    /**
     * @param hostGrub the host's GRUB library folder ({@code /usr/lib/grub})
     * @param cacheDir where fetched modules are unpacked
     * @param inBuilder whether grub-mkrescue runs in the builder container, whose image has the amd64 platforms
     *     (UEFI and BIOS) at {@code hostGrub} and no arm64 one
     */
    public GrubPlatforms(
            Path hostGrub, Path cacheDir, Supplier<DebianArchive> debian, boolean inBuilder, BuildLog log) {
        this.inBuilder = inBuilder;
        this.hostGrub = hostGrub;
        this.cacheDir = cacheDir;
        this.debian = debian;
        this.log = log;
    }

    public List<Path> forArch(Arch arch) {
        List<Path> dirs = new ArrayList<>();
        if (arch == Arch.AMD64 && inBuilder) {
            return List.of(hostGrub.resolve("x86_64-efi"), hostGrub.resolve("i386-pc"));
        }
        if (arch == Arch.ARM64 && inBuilder) {
            return List.of(fetchArm64());
        }
        if (arch == Arch.AMD64) {
            Path efi = hostGrub.resolve("x86_64-efi");
            if (!Files.isRegularFile(efi.resolve("modinfo.sh"))) {
                throw new CaptainException(
                        "iso: GRUB's x86_64-efi modules are missing (" + efi + "): install" + " grub-efi-amd64-bin");
            }
            dirs.add(efi);
            Path bios = hostGrub.resolve("i386-pc");
            if (Files.isRegularFile(bios.resolve("modinfo.sh"))) {
                dirs.add(bios);
            } else {
                log.info("iso: no i386-pc GRUB modules on this host: the amd64 ISO boots UEFI only (install"
                        + " grub-pc-bin for legacy BIOS too)");
            }
            return dirs;
        }
        Path host = hostGrub.resolve("arm64-efi");
        if (Files.isRegularFile(host.resolve("modinfo.sh"))) {
            return List.of(host);
        }
        return List.of(fetchArm64());
    }

    private Path fetchArm64() {
        DebianArchive archive = debian.get();
        DebianPackage pkg =
                archive.resolve("arm64", List.of("grub-efi-arm64-bin")).get(0);
        Path modules = archive.unpacked(pkg, cacheDir).resolve("usr/lib/grub/arm64-efi");
        if (!Files.isRegularFile(modules.resolve("modinfo.sh"))) {
            throw new CaptainException(
                    pkg.debName() + " holds no usr/lib/grub/arm64-efi/modinfo.sh: not GRUB's" + " arm64 EFI modules");
        }
        return modules;
    }
}
