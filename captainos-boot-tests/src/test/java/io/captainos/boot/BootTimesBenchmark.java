package io.captainos.boot;

import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import io.captainos.testing.Prerequisite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Not a test: the boot phases of two images in one run, a baseline (a folder with a {@code vmlinuz-*} and an
 * {@code initramfs-*} of the arch, {@code -Dcaptain.boot.baseline=DIR}) and this build's (or another such folder's,
 * {@code -Dcaptain.boot.candidate=DIR}), each booted to a running
 * agent {@code -Dcaptain.boot.rounds=N} times, alternating, on the command line a Tinkerbell boot has (the agent's
 * image in a real registry, a tink server, a syslog server). The phases come from the guest's own clocks (the kernel
 * log and systemd's monotonic unit timestamps), the firmware and the total from the host's. Prints one table and
 * keeps {@code systemd-analyze blame}, {@code critical-chain} and the journal of the network, containerd and the
 * setup of each boot under {@code target/}. Run by {@code benchmarks/boot-times.sh}; its file name keeps it out of
 * the test run.
 */
class BootTimesBenchmark {
    /** What the guest reports, in seconds since the kernel started, and how it is read there. */
    private static final Map<String, String> GUEST = new LinkedHashMap<>();

    static {
        GUEST.put("/init starts", "dmesg | awk -F'[][]' '/captainos-init: / { print $2 + 0; exit }'");
        GUEST.put("systemd starts", "systemctl show -p UserspaceTimestampMonotonic --value");
        GUEST.put("containerd ready", monotonic("containerd.service", "ActiveEnterTimestampMonotonic"));
        GUEST.put("network online", monotonic("network-online.target", "ActiveEnterTimestampMonotonic"));
        GUEST.put("setup starts", monotonic("tink-agent-setup.service", "ExecMainStartTimestampMonotonic"));
        GUEST.put("agent unit starts", monotonic("tink-agent.service", "ExecMainStartTimestampMonotonic"));
        // The unit's script waits for udev to have handled the boot's devices before it execs the agent, and logs it.
        GUEST.put(
                "agent runs",
                "journalctl -b -u tink-agent.service -o short-monotonic --no-pager"
                        + " | awk -F'[][]' '/starting the agent/ { printf \"%d\\n\", $2 * 1e6; exit }'");
    }

    @TempDir
    Path dir;

    private static String monotonic(String unit, String property) {
        return "systemctl show " + unit + " -p " + property + " --value";
    }

    @Test
    void bootBothImages() throws Exception {
        String baselineDir = System.getProperty("captain.boot.baseline", "");
        Prerequisite.require(!baselineDir.isEmpty(), "set -Dcaptain.boot.baseline to a folder with a baseline image");
        String arch = Guest.arch().linux();
        Map<String, Path[]> images = new LinkedHashMap<>();
        images.put("baseline", folder(Path.of(baselineDir), arch));
        String candidateDir = System.getProperty("captain.boot.candidate", "");
        images.put(
                "this build",
                candidateDir.isEmpty()
                        ? new Path[] {Guest.artifact("vmlinuz"), Guest.artifact("initramfs")}
                        : folder(Path.of(candidateDir), arch));
        int rounds = Integer.getInteger("captain.boot.rounds", 1);
        Map<String, Map<String, List<Double>>> figures = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, Path[]> image : images.entrySet()) {
                Map<String, Double> one = boot(image.getKey(), round, image.getValue());
                one.forEach((k, v) -> figures.computeIfAbsent(image.getKey(), x -> new LinkedHashMap<>())
                        .computeIfAbsent(k, x -> new ArrayList<>())
                        .add(v));
            }
        }
        StringBuilder table = new StringBuilder(String.format(
                "%-34s %10s %10s %7s%n",
                "seconds (" + arch + ", " + rounds + " round" + (rounds > 1 ? "s, median" : "") + ")",
                "baseline",
                "this build",
                "ratio"));
        for (String metric : figures.get("baseline").keySet()) {
            double a = median(figures.get("baseline").get(metric));
            double b = median(figures.get("this build").get(metric));
            table.append(String.format("%-34s %10.1f %10.1f %7.2f%n", metric, a, b, a > 0 ? b / a : 0));
        }
        Path report = Path.of(System.getProperty("captain.boot.logs", "target")).resolve("boot-times-" + arch + ".txt");
        Files.writeString(report, table.toString(), StandardCharsets.UTF_8);
        System.out.print(table);
    }

    private Map<String, Double> boot(String label, int round, Path[] image) throws Exception {
        String name = "bench-" + label.replace(' ', '-') + "-" + round + "-"
                + Guest.arch().linux();
        Map<String, Double> figures = new LinkedHashMap<>();
        try (AgentRig rig = AgentRig.start(dir.resolve(name), false, List.of());
                SyslogListener syslog = new SyslogListener()) {
            // A machine as Tinkerbell boots it, which names a syslog server besides the registry and tink server.
            Map<String, String> keys = new LinkedHashMap<>(rig.keys());
            keys.put("syslog_host", "10.0.2.2");
            keys.put("syslog_port", Integer.toString(syslog.port()));
            QemuMachine.Spec spec = QemuMachine.Spec.kernel(
                    Guest.arch(),
                    image[0],
                    image[1],
                    KernelCommandLine.build(Guest.arch(), keys, "", ""),
                    2048,
                    Guest.CPUS);
            try (Guest guest = Guest.boot(name, spec)) {
                rig.awaitAgent(guest, Guest.BOOT);
                double total = guest.seconds();
                guest.loggedIn();
                figures.put("QEMU start to the kernel (host)", firstLineSeconds(guest, "Linux version"));
                for (Map.Entry<String, String> e : GUEST.entrySet()) {
                    double v = Double.parseDouble(guest.sh1(e.getValue()));
                    figures.put(e.getKey() + " (guest)", e.getKey().equals("/init starts") ? v : v / 1e6);
                }
                figures.put("QEMU start to the agent (host)", total);
                guest.keepBootAnalysis();
            }
        }
        return figures;
    }

    /** Host seconds since QEMU started at the first console line containing the text (the log's own stamps). */
    private static double firstLineSeconds(Guest guest, String text) throws IOException {
        Path log = Path.of(System.getProperty("captain.boot.logs", "target")).resolve("console-" + guest.name + ".log");
        try (Stream<String> lines = Files.lines(log, StandardCharsets.UTF_8)) {
            return lines.filter(l -> l.contains(text))
                    .findFirst()
                    .map(l -> Double.parseDouble(l.trim().split("\\s+", 2)[0]))
                    .orElseThrow(() -> new AssertionError("no '" + text + "' in " + log));
        }
    }

    /** The kernel and the initramfs of the arch in an image folder. */
    private static Path[] folder(Path dir, String arch) throws IOException {
        return new Path[] {find(dir, "vmlinuz-", arch), find(dir, "initramfs-", arch)};
    }

    private static Path find(Path dir, String prefix, String arch) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith("-" + arch))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + prefix + "*-" + arch + " in " + dir));
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
