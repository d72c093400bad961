package io.captainos.boot;

import io.captainos.core.Arch;
import io.captainos.core.host.HostPrerequisites;
import io.captainos.core.qemu.QemuMachine;
import io.captainos.testing.Prerequisite;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A booted CaptainOS guest for a test: this build's artifacts for the arch under test, the console mirrored to a
 * log file under {@code target/}, and a logged-in root shell once the boot is done.
 */
final class Guest implements AutoCloseable {
    /** TCG emulates arm64 on this amd64 host several times slower than amd64 itself. */
    static final Duration BOOT = Duration.ofMinutes(arch() == Arch.ARM64 ? 15 : 6);

    static final Duration COMMAND = Duration.ofMinutes(2);
    /**
     * One vCPU: under TCG with two, the kernel's live code patching (jump labels) sometimes hit a stale translation
     * on the other vCPU and oopsed with int3 in early boot when the host was loaded.
     */
    static final int CPUS = 1;

    private static final Pattern LOGIN = Pattern.compile("login: root \\(automatic login\\)");
    private static final Pattern PROMPT_ANYWHERE = Pattern.compile("root@[^ ]+:~# ");

    final Arch arch;
    final String name;
    final QemuMachine machine;
    private final PrintWriter log;
    private final long started;

    private Guest(Arch arch, String name, QemuMachine machine, PrintWriter log, long started) {
        this.arch = arch;
        this.name = name;
        this.machine = machine;
        this.log = log;
        this.started = started;
    }

    /** Seconds since QEMU started. */
    double seconds() {
        return (System.nanoTime() - started) / 1e9;
    }

    static Arch arch() {
        return System.getProperty("captain.boot.classifier", "x86_64").equals("aarch64") ? Arch.ARM64 : Arch.AMD64;
    }

    /** A file this build produced for the arch under test: {@code vmlinuz}, {@code initramfs} or {@code iso}. */
    static Path artifact(String kind) {
        String value = System.getProperty("captain.boot." + kind + "." + arch().linux(), "");
        Path p = Path.of(value);
        Prerequisite.require(
                !value.isEmpty() && !value.contains("${") && Files.isRegularFile(p),
                "this build produced no " + kind + " for " + arch().linux());
        return p;
    }

    /** Boots the spec; the console goes to target/console-<name>.log. Skips the test when QEMU is not installed. */
    static Guest boot(String name, QemuMachine.Spec spec) throws Exception {
        List<String> command = QemuMachine.command(spec, false);
        Prerequisite.require(
                Files.isExecutable(Path.of(HostPrerequisites.locate(command.get(0)))),
                command.get(0) + " is not installed: install "
                        + (spec.arch() == Arch.ARM64 ? "qemu-system-arm" : "qemu-system-x86")
                        + " to run the boot tests");
        Path logFile =
                Path.of(System.getProperty("captain.boot.logs", "target")).resolve("console-" + name + ".log");
        Files.createDirectories(logFile.getParent());
        PrintWriter log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
        log.println("# " + String.join(" ", command));
        // Each line carries the seconds since QEMU started, for benchmarks/boot-times.sh.
        long start = System.nanoTime();
        return new Guest(
                spec.arch(),
                name,
                QemuMachine.start(
                        command,
                        line -> log.println(String.format("%9.3f %s", (System.nanoTime() - start) / 1e9, line))),
                log,
                start);
    }

    /**
     * Keeps how this boot went in {@code target/analyze-<name>.txt}: {@code systemd-analyze blame}, the critical chain
     * of the agent, the modules loaded, and the journal of the units on the way to the agent.
     *
     * @return the critical chain, as systemd-analyze printed it
     */
    List<String> keepBootAnalysis() throws Exception {
        List<String> analysis = new ArrayList<>(sh("systemd-analyze --no-pager blame"));
        analysis.add("");
        List<String> chain = sh("systemd-analyze --no-pager critical-chain tink-agent.service");
        analysis.addAll(chain);
        analysis.add("");
        analysis.add("modules loaded: " + sh1("wc -l < /proc/modules") + ": "
                + sh1("cut -d ' ' -f 1 /proc/modules | sort | paste -sd ' '"));
        analysis.add("");
        // One vCPU: what each unit spent of it since the boot (cgroup v2 accounts every unit), the most first.
        analysis.add("CPU seconds by unit (of "
                + sh1("awk '/^cpu / { printf \"%.1f\\n\", ($2 + $3 + $4 + $7 + $8) / 100 }' /proc/stat")
                + " s busy, kernel threads included):");
        analysis.addAll(sh("systemctl show -p Id -p CPUUsageNSec '*.service' '*.scope' | awk -F= '/^CPUUsageNSec=[0-9]/"
                + " { n = $2 } /^Id=/ { id = $2 } function out() { if (n > 0) printf \"%8.2f %s\\n\", n / 1e9, id; n = 0 }"
                + " /^$/ { out() } END { out() }'"
                + " | sort -rn | head -n 25"));
        analysis.add("");
        analysis.addAll(sh("journalctl -b -o short-monotonic --no-pager -u systemd-networkd"
                + " -u systemd-networkd-wait-online -u containerd -u tink-agent-setup"));
        Path logs = Path.of(System.getProperty("captain.boot.logs", "target"));
        Files.write(logs.resolve("analyze-" + name + ".txt"), analysis, StandardCharsets.UTF_8);
        return chain;
    }

    static String console(Arch arch) {
        return QemuMachine.console(arch);
    }

    /**
     * Waits for the serial autologin and the shell prompt. The prompt is not anchored at the line's end: journal
     * lines echoed to the console (the setup's, the agent's) may follow it on the same line before the test types.
     */
    Guest loggedIn() throws InterruptedException {
        machine.expect(LOGIN, 0, BOOT);
        machine.expect(PROMPT_ANYWHERE, 0, COMMAND);
        return this;
    }

    List<String> sh(String command) throws InterruptedException {
        return machine.shell(command, COMMAND);
    }

    /** The first output line of a command. */
    String sh1(String command) throws InterruptedException {
        return sh(command).get(0);
    }

    @Override
    public void close() {
        machine.close();
        log.close();
    }
}
