package io.captainos.maven;

import io.captainos.core.Arch;
import io.captainos.core.BuildConfig;
import io.captainos.core.CaptainException;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.ReleaseFiles.Kind;
import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;

/**
 * Boots the newest {@code out/} kernel and initramfs (or, with {@code -Dcaptain.qemu.boot=iso}, the ISO through UEFI
 * firmware) in QEMU with the serial console on this terminal: a root shell after boot. Every key the OS reads can be
 * given as {@code -Dcaptain.qemu.<key>=<value>} (e.g. {@code -Dcaptain.qemu.tink_worker_image=10.0.2.2:5000/agent},
 * {@code -Dcaptain.qemu.ipam=...}); values with whitespace are refused. arm64 boots {@code -M virt -cpu max} with
 * {@code ttyAMA0}. Quit QEMU with Ctrl-a x.
 */
@Mojo(name = "qemu-test", requiresProject = false, aggregator = true)
public class QemuTestMojo extends AbstractCaptainMojo {
    /** {@code kernel} (out/ kernel + initramfs) or {@code iso}. */
    @Parameter(property = "captain.qemu.boot", defaultValue = "kernel")
    private String boot;

    /** Guest memory in MiB. */
    @Parameter(property = "captain.qemu.memory", defaultValue = "2048")
    private int memory;

    /** Guest CPUs. */
    @Parameter(property = "captain.qemu.cpus", defaultValue = "2")
    private int cpus;

    /** Extra kernel command line words, appended as given. */
    @Parameter(property = "captain.qemu.append", defaultValue = "")
    private String append;

    /**
     * A host port forwarded to the guest's port 22 (on 127.0.0.1), for {@code -Dcaptain.qemu.sshd=1} and {@code
     * -Dcaptain.qemu.ssh_authorized_keys=...}; 0: none.
     */
    @Parameter(property = "captain.qemu.sshPort", defaultValue = "0")
    private int sshPort;

    /** Use KVM; only when {@code /dev/kvm} can really run guests (it often exists and refuses under nesting). */
    @Parameter(property = "captain.qemu.kvm", defaultValue = "false")
    private boolean kvm;

    @Override
    protected void run() {
        BuildConfig config = config();
        Arch arch = config.arches().get(0);
        Map<String, String> keys = new HashMap<>();
        for (String key : KernelCommandLine.KEYS) {
            String v = session.getUserProperties().getProperty("captain.qemu." + key);
            if (v != null) {
                keys.put(key, v);
            }
        }
        QemuMachine.Spec spec;
        if (boot.equals("iso")) {
            Path iso = ReleaseFiles.newest(outDir(), Kind.ISO, arch)
                    .map(r -> Kind.ISO.in(outDir(), r, arch))
                    .orElseThrow(() -> missing(Kind.ISO.pattern(arch), "the ISO"));
            if (!keys.isEmpty() || !append.isBlank()) {
                getLog().warn("qemu-test: the ISO boots with its own GRUB command line; the keys and"
                        + " captain.qemu.append are ignored");
            }
            if (!Files.isRegularFile(QemuMachine.firmware(arch))) {
                throw new CaptainException("No UEFI firmware at " + QemuMachine.firmware(arch) + ": install "
                        + QemuMachine.firmwarePackage(arch));
            }
            spec = QemuMachine.Spec.iso(arch, iso, memory, cpus);
        } else if (boot.equals("kernel")) {
            String version = ReleaseFiles.newest(outDir(), Kind.VMLINUZ, arch)
                    .orElseThrow(() -> missing(Kind.VMLINUZ.pattern(arch), "the kernel"));
            Path kernel = Kind.VMLINUZ.in(outDir(), version, arch);
            Path initrd = Kind.INITRAMFS.in(outDir(), version, arch);
            if (!Files.isRegularFile(initrd)) {
                throw missing(initrd.getFileName().toString(), "the initramfs for kernel " + version);
            }
            spec = QemuMachine.Spec.kernel(
                    arch, kernel, initrd, KernelCommandLine.build(arch, keys, append, "-Dcaptain.qemu."), memory, cpus);
        } else {
            throw new CaptainException("Unknown captain.qemu.boot '" + boot + "': use kernel or iso");
        }
        if (sshPort > 0) {
            spec = spec.withNic(QemuMachine.Spec.userNetwork(sshPort));
            getLog().info("qemu-test: ssh -p " + sshPort + " root@127.0.0.1 reaches the guest's sshd");
        }
        List<String> command = QemuMachine.command(spec, kvm);
        getLog().info("qemu-test: " + String.join(" ", command));
        getLog().info("qemu-test: quit with Ctrl-a x");
        try {
            Process p = new ProcessBuilder(command).inheritIO().start();
            int rc = p.waitFor();
            if (rc != 0) {
                throw new CaptainException("QEMU exited with code " + rc);
            }
        } catch (IOException e) {
            throw new CaptainException(
                    "Cannot start " + command.get(0) + ": " + e.getMessage() + " (install "
                            + (arch == Arch.ARM64 ? "qemu-system-arm" : "qemu-system-x86") + ")",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private CaptainException missing(String name, String what) {
        return new CaptainException("No " + name + " in " + outDir() + ": build " + what + " first (./mvnw install"
                + ", with -Parm64 for arm64)");
    }
}
