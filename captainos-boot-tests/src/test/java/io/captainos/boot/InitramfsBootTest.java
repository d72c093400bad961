package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.qemu.QemuMachine;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Boots the kernel and initramfs of this build in QEMU (TCG, user-mode network) and checks the OS that runs:
 * multi-user reached with no failed unit, the root a tmpfs, no initrd-release, containerd answering, the NIC with a
 * DHCP address. The console goes to {@code target/console-<arch>.log}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InitramfsBootTest {
    private static final Duration BOOT = Duration.ofMinutes(6);
    private static final Duration COMMAND = Duration.ofMinutes(2);
    private static QemuMachine machine;
    private static PrintWriter log;

    @BeforeAll
    static void boot() throws Exception {
        String classifier = System.getProperty("captain.boot.classifier", "x86_64");
        Arch arch = classifier.equals("aarch64") ? Arch.ARM64 : Arch.AMD64;
        Path kernel = Path.of(System.getProperty("captain.boot.vmlinuz." + classifier));
        Path initrd = Path.of(System.getProperty("captain.boot.initramfs." + classifier));
        assertTrue(Files.isRegularFile(kernel) && Files.isRegularFile(initrd), kernel + ", " + initrd);
        Path logFile = Path.of(System.getProperty("captain.boot.log", "target/console.log"));
        Files.createDirectories(logFile.getParent());
        log = new PrintWriter(Files.newBufferedWriter(logFile, StandardCharsets.UTF_8), true);
        QemuMachine.Spec spec = new QemuMachine.Spec(arch, kernel, initrd,
                "console=" + QemuMachine.console(arch) + " audit=0", 2048, 2, QemuMachine.Spec.userNetwork());
        List<String> command = QemuMachine.command(spec, false);
        String qemu = io.captainos.core.host.HostPrerequisites.locate(command.get(0));
        Assumptions.assumeTrue(Files.isExecutable(Path.of(qemu)), command.get(0) + " is not installed: install "
                + (arch == Arch.ARM64 ? "qemu-system-arm" : "qemu-system-x86") + " to run the boot tests");
        machine = QemuMachine.start(command, log::println);
        machine.expect(Pattern.compile("login: root \\(automatic login\\)"), 0, BOOT);
        machine.expect(Pattern.compile("root@[^ ]+:~# $"), 0, COMMAND);
    }

    @AfterAll
    static void stop() {
        if (machine != null) {
            machine.close();
        }
        if (log != null) {
            log.close();
        }
    }

    private static List<String> sh(String command) throws InterruptedException {
        return machine.shell(command, COMMAND);
    }

    @Test
    @Order(1)
    void reachesMultiUserWithNoFailedUnit() throws Exception {
        List<String> state = sh("systemctl is-system-running --wait");
        List<String> failed = sh("systemctl --failed --no-legend --plain --no-pager");
        assertEquals("running", state.get(0), "failed units: " + failed);
        assertEquals(List.of("multi-user.target"), sh("systemctl get-default").subList(0, 1));
    }

    @Test
    @Order(2)
    void theRootIsATmpfsAndNotAnInitrd() throws Exception {
        assertEquals("tmpfs", sh("findmnt -n -o FSTYPE /").get(0));
        assertEquals("1", sh("test -e /etc/initrd-release").get(0), "/etc/initrd-release must not exist");
        assertEquals("1", sh("test -e /init").get(0), "/init is removed from the running root");
        assertEquals("captainos", sh(". /etc/os-release && echo $ID").get(0));
    }

    @Test
    @Order(3)
    void containerdAnswers() throws Exception {
        assertEquals("active", sh("systemctl is-active containerd").get(0));
        List<String> version = sh("ctr --address /run/containerd/containerd.sock version");
        assertTrue(version.contains("Server:"), version.toString());
        assertEquals("0", version.get(version.size() - 1));
    }

    @Test
    @Order(4)
    void theNicHasADhcpAddressAndResolvConfIsReal() throws Exception {
        List<String> addr = sh("ip -4 -o addr show scope global");
        assertTrue(addr.stream().anyMatch(l -> l.contains("inet 10.0.2.15/24") && l.contains("dynamic")), addr.toString());
        List<String> resolv = sh("readlink /etc/resolv.conf; grep -c '^nameserver 10.0.2.3' /etc/resolv.conf");
        assertEquals("../run/systemd/resolve/resolv.conf", resolv.get(0));
        assertEquals("1", resolv.get(1), "containers see the real nameserver, not the stub");
    }

    @Test
    @Order(5)
    void forwardingIsOnAndTheRootHasNoPassword() throws Exception {
        assertEquals("1", sh("cat /proc/sys/net/ipv4/ip_forward").get(0));
        assertEquals("root::", sh("cut -d: -f1,2 /etc/shadow | grep '^root:'").get(0) + ":");
    }
}
