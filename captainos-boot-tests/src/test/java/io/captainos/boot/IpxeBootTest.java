package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.captainos.core.Arch;
import io.captainos.core.ReleaseFiles;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import io.captainos.core.oci.ReleaseImages;
import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import io.captainos.testing.Prerequisite;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Boots the way Tinkerbell boots a machine: QEMU's own iPXE ROM gets an iPXE script over TFTP (QEMU user
 * networking's DHCP names it), like the one smee serves, which loads {@code vmlinuz-<kver>-x86_64} and
 * {@code initramfs-<kver>-x86_64} over HTTP from the test with the tink keys on the kernel line; the agent comes up.
 */
class IpxeBootTest {
    @TempDir
    Path dir;

    /** The file of a kind among an arch's release files. */
    private static NamedFile kind(List<NamedFile> files, ReleaseFiles.Kind kind) {
        return files.stream()
                .filter(f ->
                        ReleaseFiles.parse(f.name()).map(n -> n.kind() == kind).orElse(false))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " among " + files));
    }

    @Test
    void iPxeLoadsTheKernelAndInitramfsOverHttpAndTheAgentComesUp() throws Exception {
        Assumptions.assumeTrue(Guest.arch() == Arch.AMD64, "QEMU's iPXE ROMs (ipxe-qemu) are PC ROMs");
        Path rom = Path.of("/usr/lib/ipxe/qemu/efi-virtio.rom");
        Prerequisite.require(Files.isRegularFile(rom), "no iPXE ROM at " + rom + ": install ipxe-qemu");
        Path out = Path.of(System.getProperty("captain.boot.out", "../out"));
        List<NamedFile> files = ReleaseImages.fromOut(out, Arch.AMD64, null);
        Prerequisite.require(files != null, "no x86_64 files in " + out + ": build this repository first");
        NamedFile vmlinuz = kind(files, ReleaseFiles.Kind.VMLINUZ);
        NamedFile initramfs = kind(files, ReleaseFiles.Kind.INITRAMFS);
        List<String> served = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        for (NamedFile f : List.of(vmlinuz, initramfs)) {
            http.createContext("/" + f.name(), exchange -> {
                served.add(exchange.getRequestMethod() + " " + exchange.getRequestURI());
                exchange.sendResponseHeaders(200, Files.size(f.path()));
                try (OutputStream body = exchange.getResponseBody()) {
                    Files.copy(f.path(), body);
                }
            });
        }
        http.start();
        try (AgentRig rig = AgentRig.start(dir, false, List.of())) {
            String base = "http://10.0.2.2:" + http.getAddress().getPort();
            Map<String, String> keys = rig.keys();
            Path tftp = Files.createDirectories(dir.resolve("tftp"));
            Files.writeString(
                    tftp.resolve("boot.ipxe"),
                    "#!ipxe\n"
                            + "kernel " + base + "/" + vmlinuz.name() + " "
                            + KernelCommandLine.build(Arch.AMD64, keys, "", "")
                            + "\ninitrd " + base + "/" + initramfs.name() + "\nboot\n");
            QemuMachine.Spec spec = QemuMachine.Spec.network(
                    2048,
                    Guest.CPUS,
                    List.of("-nic", "user,model=virtio-net-pci,tftp=" + tftp + ",bootfile=boot.ipxe"));
            try (Guest guest = Guest.boot("ipxe-x86_64", spec)) {
                guest.machine.expect(Pattern.compile("iPXE"), 0, Guest.COMMAND);
                rig.awaitAgent(guest, Guest.BOOT);
                guest.loggedIn();
                assertEquals(List.of("GET /" + vmlinuz.name(), "GET /" + initramfs.name()), served);
                List<String> words = List.of(guest.sh1("cat /proc/cmdline").split(" "));
                keys.forEach((k, v) -> assertTrue(words.contains(k + "=" + v), k + "=" + v + " in " + words));
                assertEquals("active", guest.sh1("systemctl is-active tink-agent"));
            }
        } finally {
            http.stop(0);
        }
    }
}
