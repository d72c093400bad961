package io.captainos.core.qemu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.Arch;
import io.captainos.core.CaptainException;
import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class QemuCommandTest {
    private static final Path K = Path.of("/k");
    private static final Path I = Path.of("/i");

    @Test
    void arm64BootsOnVirtWithMaxCpuAndPl011() {
        String append = KernelCommandLine.build(Arch.ARM64, Map.of(), "", "");
        List<String> cmd = QemuMachine.command(QemuMachine.Spec.kernel(Arch.ARM64, K, I, append, 2048, 2), false);
        assertEquals("qemu-system-aarch64", cmd.get(0));
        assertTrue(String.join(" ", cmd).contains("-M virt -cpu max -accel tcg -m 2048 -smp 2"), cmd.toString());
        assertEquals("console=ttyAMA0 audit=0", cmd.get(cmd.indexOf("-append") + 1));
        assertTrue(cmd.containsAll(List.of("-nographic", "-no-reboot", "-nic", "user,model=virtio-net-pci")));
    }

    @Test
    void everyMachineHasAHardwareEntropySource() {
        for (QemuMachine.Spec spec : List.of(
                QemuMachine.Spec.kernel(Arch.ARM64, K, I, "x", 2048, 1),
                QemuMachine.Spec.kernel(Arch.AMD64, K, I, "x", 2048, 1),
                QemuMachine.Spec.iso(Arch.AMD64, Path.of("/c.iso"), 2048, 1))) {
            String cmd = String.join(" ", QemuMachine.command(spec, false));
            assertTrue(cmd.contains("-device virtio-rng-pci"), cmd);
        }
    }

    @Test
    void amd64UsesTheFirstUartAndKvmOnlyWhenAsked() {
        List<String> cmd = QemuMachine.command(QemuMachine.Spec.kernel(Arch.AMD64, K, I, "x", 1024, 1), true);
        assertEquals("qemu-system-x86_64", cmd.get(0));
        assertTrue(cmd.containsAll(List.of("-accel", "kvm", "-cpu", "host")));
        assertEquals("ttyS0", QemuMachine.console(Arch.AMD64));
    }

    @Test
    void isosBootThroughTheirFirmware() {
        List<String> uefi = QemuMachine.command(QemuMachine.Spec.iso(Arch.AMD64, Path.of("/c.iso"), 2048, 2), false);
        assertTrue(String.join(" ", uefi).contains("-bios /usr/share/ovmf/OVMF.fd -cdrom /c.iso"));
        assertFalse(uefi.contains("-kernel"));
        List<String> bios = QemuMachine.command(QemuMachine.Spec.isoBios(Path.of("/c.iso"), 2048, 2), false);
        assertFalse(bios.contains("-bios"), "SeaBIOS is QEMU's default");
        List<String> arm = QemuMachine.command(QemuMachine.Spec.iso(Arch.ARM64, Path.of("/a.iso"), 2048, 2), false);
        assertTrue(
                String.join(" ", arm).contains("if=pflash,format=raw,readonly=on,file=/usr/share/AAVMF/AAVMF_CODE.fd"));
        assertTrue(String.join(" ", arm).contains("media=cdrom,file=/a.iso"));
    }

    @Test
    void aNetworkBootHasNoKernelAndBootsTheNic() {
        List<String> net = QemuMachine.command(
                QemuMachine.Spec.network(
                        2048, 1, List.of("-nic", "user,model=virtio-net-pci,tftp=/t,bootfile=boot.ipxe")),
                false);
        assertTrue(String.join(" ", net).contains("-boot n"), net.toString());
        assertFalse(net.contains("-kernel") || net.contains("-cdrom"), net.toString());
        assertTrue(net.contains("user,model=virtio-net-pci,tftp=/t,bootfile=boot.ipxe"));
    }

    @Test
    void everyKeyIsWrittenInOrderAndEmptyOnesAreLeftOut() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("ipam", "52-54-00-12-34-56::10.0.2.50:24::::");
        keys.put("worker_id", "52:54:00:12:34:56");
        keys.put("docker_registry", "");
        keys.put("facility", "local3");
        keys.put("ssh_authorized_keys", "c3NoLWVkMjU1MTkgQUFBQQ==");
        keys.put("sshd", "1");
        assertEquals(
                "console=ttyS0 audit=0 worker_id=52:54:00:12:34:56 facility=local3 "
                        + "ipam=52-54-00-12-34-56::10.0.2.50:24:::: sshd=1 ssh_authorized_keys=c3NoLWVkMjU1MTkgQUFBQQ=="
                        + " quiet",
                KernelCommandLine.build(Arch.AMD64, keys, " quiet ", ""));
    }

    @Test
    void aValueWithWhitespaceIsRefusedWithItsSetting() {
        CaptainException e = assertThrows(
                CaptainException.class,
                () -> KernelCommandLine.build(Arch.AMD64, Map.of("worker_id", "a b"), "", "-Dcaptain.qemu."));
        assertTrue(e.getMessage().contains("-Dcaptain.qemu.worker_id")
                && e.getMessage().contains("whitespace"));
    }

    @Test
    void theConsoleStripsEscapesAndWaitsForPromptsWithoutANewline() throws Exception {
        PipedOutputStream out = new PipedOutputStream();
        List<String> echoed = new ArrayList<>();
        SerialConsole console = new SerialConsole(new PipedInputStream(out), echoed::add);
        out.write("\u001B[0;32m  OK  \u001B[0m] Reached target\r\nroot@localhost:~# ".getBytes(StandardCharsets.UTF_8));
        out.flush();
        assertTrue(
                console.await(Pattern.compile("^  OK  \\] Reached target$"), 0, Duration.ofSeconds(5)) != null,
                "colours and carriage returns are gone: " + console.lines());
        assertTrue(
                console.await(Pattern.compile("root@[^ ]+:~# $"), 0, Duration.ofSeconds(5)) != null,
                "a prompt is matched before its line ends");
        assertNull(console.await(Pattern.compile("never"), 0, Duration.ofMillis(200)));
        out.close();
        assertNull(console.await(Pattern.compile("never"), 0, Duration.ofSeconds(5)), "a closed console ends the wait");
        assertTrue(console.closed());
        assertEquals(List.of("  OK  ] Reached target"), echoed);
    }

    @Test
    void aClosedStreamGivesItsLastPartialLine() throws Exception {
        SerialConsole console = new SerialConsole(new ByteArrayInputStream("a\nb".getBytes()), l -> {});
        assertNull(console.await(Pattern.compile("never"), 0, Duration.ofSeconds(5)));
        assertEquals(List.of("a", "b"), console.lines());
    }

    @Test
    void anSshPortIsForwardedToTheGuestsPort22OnLoopbackOnly() {
        QemuMachine.Spec spec = QemuMachine.Spec.kernel(
                        Arch.AMD64, Path.of("/k"), Path.of("/i"), "console=ttyS0", 2048, 1)
                .withNic(QemuMachine.Spec.userNetwork(2222));
        List<String> command = QemuMachine.command(spec, false);
        assertTrue(command.contains("user,model=virtio-net-pci,hostfwd=tcp:127.0.0.1:2222-:22"), command.toString());
        assertEquals(List.of("-nic", "user,model=virtio-net-pci"), QemuMachine.Spec.userNetwork());
    }
}
