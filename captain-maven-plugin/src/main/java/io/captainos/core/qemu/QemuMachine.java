package io.captainos.core.qemu;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QEMU machine booting a kernel and initramfs with its serial console on a pipe: started, watched line by line,
 * typed into, and always killed with everything it started when closed.
 */
public final class QemuMachine implements AutoCloseable {
    /**
     * What to boot and how: a kernel with its initrd and command line, or (when {@code iso} is set) an ISO through
     * UEFI firmware, whose GRUB has the command line, or (neither) the network, through the NIC's boot ROM.
     */
    public record Spec(
            Arch arch,
            Path kernel,
            Path initrd,
            String append,
            Path iso,
            boolean bios,
            int memoryMb,
            int cpus,
            List<String> nic) {
        public Spec {
            nic = List.copyOf(nic);
        }

        public static Spec kernel(Arch arch, Path kernel, Path initrd, String append, int memoryMb, int cpus) {
            return new Spec(arch, kernel, initrd, append, null, false, memoryMb, cpus, userNetwork());
        }

        /** The ISO through UEFI firmware. */
        public static Spec iso(Arch arch, Path iso, int memoryMb, int cpus) {
            return new Spec(arch, null, null, null, iso, false, memoryMb, cpus, userNetwork());
        }

        /** The ISO through the PC's legacy BIOS (SeaBIOS, QEMU's default), amd64 only. */
        public static Spec isoBios(Path iso, int memoryMb, int cpus) {
            return new Spec(Arch.AMD64, null, null, null, iso, true, memoryMb, cpus, userNetwork());
        }

        /**
         * The network through the NIC's boot ROM (QEMU's iPXE for virtio-net on the PC's BIOS), amd64 only: the NIC
         * options say where it boots from, e.g. QEMU user networking's {@code tftp=} and {@code bootfile=}.
         */
        public static Spec network(int memoryMb, int cpus, List<String> nic) {
            return new Spec(Arch.AMD64, null, null, null, null, false, memoryMb, cpus, nic);
        }

        /** QEMU's user-mode network with a virtio NIC: the guest reaches the host's loopback as 10.0.2.2. */
        public static List<String> userNetwork() {
            return List.of("-nic", "user,model=virtio-net-pci");
        }

        /** The same, with the host's loopback port {@code sshPort} forwarded to the guest's sshd. */
        public static List<String> userNetwork(int sshPort) {
            return List.of("-nic", "user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:" + sshPort + "-:22");
        }

        /** This spec with another network. */
        public Spec withNic(List<String> other) {
            return new Spec(arch, kernel, initrd, append, iso, bios, memoryMb, cpus, other);
        }
    }

    /** A root shell prompt, matched before its line ends. */
    public static final Pattern PROMPT = Pattern.compile("root@[^ ]+:~# $");

    private final Process process;
    private final SerialConsole console;
    private final OutputStream input;

    private QemuMachine(Process process, Consumer<String> echo) {
        this.process = process;
        this.console = new SerialConsole(process.getInputStream(), echo);
        this.input = process.getOutputStream();
    }

    /** The serial console name for an arch ({@code ttyS0}, {@code ttyAMA0}). */
    public static String console(Arch arch) {
        return arch == Arch.ARM64 ? "ttyAMA0" : "ttyS0";
    }

    /** The UEFI firmware image QEMU boots an ISO with on an arch (Debian's ovmf and qemu-efi-aarch64). */
    public static Path firmware(Arch arch) {
        return arch == Arch.ARM64 ? Path.of("/usr/share/AAVMF/AAVMF_CODE.fd") : Path.of("/usr/share/ovmf/OVMF.fd");
    }

    /** The Debian package of an arch's UEFI firmware. */
    public static String firmwarePackage(Arch arch) {
        return arch == Arch.ARM64 ? "qemu-efi-aarch64" : "ovmf";
    }

    /** The QEMU command line for a spec: machine and CPU per arch, KVM when usable, TCG otherwise. */
    public static List<String> command(Spec spec, boolean kvm) {
        List<String> cmd = new ArrayList<>();
        if (spec.arch() == Arch.ARM64) {
            cmd.addAll(List.of("qemu-system-aarch64", "-M", "virt", "-cpu", kvm ? "host" : "max"));
        } else {
            cmd.add("qemu-system-x86_64");
            if (kvm) {
                cmd.addAll(List.of("-cpu", "host"));
            }
        }
        cmd.addAll(List.of(
                "-accel",
                kvm ? "kvm" : "tcg",
                "-m",
                Integer.toString(spec.memoryMb()),
                "-smp",
                Integer.toString(spec.cpus())));
        if (spec.iso() == null && spec.kernel() == null) {
            if (spec.arch() != Arch.AMD64) {
                throw new CaptainException("Network boot through iPXE is amd64 only: QEMU's iPXE ROMs are PC ROMs");
            }
            cmd.addAll(List.of("-boot", "n"));
        } else if (spec.iso() == null) {
            cmd.addAll(List.of(
                    "-kernel",
                    spec.kernel().toString(),
                    "-initrd",
                    spec.initrd().toString(),
                    "-append",
                    spec.append()));
        } else if (spec.arch() == Arch.ARM64) {
            cmd.addAll(List.of(
                    "-drive",
                    "if=pflash,format=raw,readonly=on,file=" + firmware(Arch.ARM64),
                    "-device",
                    "virtio-scsi-pci",
                    "-drive",
                    "if=none,id=cd,format=raw,readonly=on,media=cdrom,file=" + spec.iso(),
                    "-device",
                    "scsi-cd,drive=cd"));
        } else if (spec.bios()) {
            cmd.addAll(List.of("-cdrom", spec.iso().toString()));
        } else {
            cmd.addAll(List.of(
                    "-bios",
                    firmware(Arch.AMD64).toString(),
                    "-cdrom",
                    spec.iso().toString()));
        }
        // A hardware entropy source, as real machines have (TPM, RDRAND): the kernel's random pool is ready at once.
        cmd.addAll(List.of("-device", "virtio-rng-pci", "-nographic", "-no-reboot"));
        cmd.addAll(spec.nic());
        return cmd;
    }

    public static QemuMachine start(List<String> command, Consumer<String> echo) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            // A JVM that ends without closing the machine (a killed test run) must not leave QEMU running.
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                p.descendants().forEach(ProcessHandle::destroyForcibly);
                                p.destroyForcibly();
                            },
                            "qemu-reaper"));
            return new QemuMachine(p, echo);
        } catch (IOException e) {
            throw new CaptainException(
                    "Cannot start " + command.get(0) + ": " + e.getMessage()
                            + " (install qemu-system-x86 or qemu-system-arm)",
                    e);
        }
    }

    public SerialConsole console() {
        return console;
    }

    /** Waits for a pattern on the console from the given line on; fails with the console's tail if it never comes. */
    public Matcher expect(Pattern pattern, int from, Duration timeout) throws InterruptedException {
        return expect(pattern, from, timeout, true);
    }

    /** Like {@link #expect(Pattern, int, Duration)} on complete lines only, so a match sees the whole line. */
    public Matcher expectLine(Pattern pattern, int from, Duration timeout) throws InterruptedException {
        return expect(pattern, from, timeout, false);
    }

    private Matcher expect(Pattern pattern, int from, Duration timeout, boolean partial) throws InterruptedException {
        Matcher m = console.await(pattern, from, timeout, partial);
        if (m == null) {
            List<String> lines = console.lines();
            throw new AssertionError("'" + pattern + "' did not appear on the console within " + timeout.toSeconds()
                    + " s" + (console.closed() ? " (the machine stopped)" : "") + "; last lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
        }
        return m;
    }

    /** Types a line on the serial console. */
    public void type(String line) {
        try {
            input.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            input.flush();
        } catch (IOException e) {
            throw new CaptainException("The machine's console is closed: " + e.getMessage(), e);
        }
    }

    /**
     * Runs a shell command on the logged-in console (bash) and returns its output, stdout and stderr, then its exit
     * status as the last line. Each output line is tagged on its way to the console, so that what else the console
     * shows meanwhile (kernel and journal messages, the banner) is left out.
     */
    public List<String> shell(String command, Duration timeout) throws InterruptedException {
        String tag = "CAPTAIN" + Long.toHexString(System.nanoTime());
        int from = console.mark();
        type("{ " + command + " ; } 2>&1 | sed -u 's/^/" + tag + "| /'; echo \"" + tag + "-END ${PIPESTATUS[0]}\"");
        expect(Pattern.compile("^" + tag + "-END \\d+$"), from, timeout, false);
        // The next command is typed after the prompt is back, so that its echo does not mix with this output.
        int end = console.mark();
        console.await(PROMPT, end - 1, Duration.ofSeconds(10));
        List<String> out = new ArrayList<>();
        for (String l : console.lines().subList(from, end)) {
            if (l.startsWith(tag + "| ")) {
                out.add(l.substring(tag.length() + 2));
            } else if (l.startsWith(tag + "-END ")) {
                out.add(l.substring(tag.length() + 5));
            }
        }
        return out;
    }

    /** Kills QEMU and anything it started, and waits for it to be gone. */
    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
