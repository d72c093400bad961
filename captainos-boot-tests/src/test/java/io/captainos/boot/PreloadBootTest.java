package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.initramfs.Preload;
import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An air-gapped site: the agent image is preloaded into the initramfs by the build's own code (what
 * {@code -Dcaptain.initramfs.preload=<registry>/tinkerbell/tink-agent:v1=<name>} does: the image taken from the test's
 * registry, written as an OCI archive in the CPIO placed before this build's image), and the registry is stopped
 * before the machine boots. The command line still names the image at that registry, so the agent can only have
 * come from the import.
 */
class PreloadBootTest {
    @TempDir
    Path dir;

    @Test
    void withNoRegistryReachableTheAgentStartsFromThePreloadedImage() throws Exception {
        try (AgentRig rig = AgentRig.start(dir, false, List.of())) {
            String source = "127.0.0.1:" + rig.registry.port + "/tinkerbell/tink-agent:v1";
            Preload preload = new Preload(Guest.arch(), e -> Preload.client(e, BuildLog.silent()), BuildLog.silent());
            List<Preload.Resolved> images = preload.resolve(Preload.Entry.parseList(source + "=" + rig.image(), dir));
            assertEquals(rig.agentDigest, images.get(0).manifest().digest());
            Path segment = dir.resolve("preload.cpio");
            long added = preload.write(images, dir.resolve("preload"), segment, 1_767_225_600L);
            Path initramfs = dir.resolve("initramfs");
            Preload.prepend(segment, Guest.artifact("initramfs"), initramfs);
            System.out.printf("preloaded agent image: %.2f MB added to the initramfs%n", added / 1e6);
            rig.registry.close();

            QemuMachine.Spec spec = new QemuMachine.Spec(
                    Guest.arch(),
                    Guest.artifact("vmlinuz"),
                    initramfs,
                    KernelCommandLine.build(Guest.arch(), rig.keys(), "", ""),
                    null,
                    false,
                    2048,
                    Guest.CPUS,
                    QemuMachine.Spec.userNetwork());
            try (Guest guest = Guest.boot("preload-" + Guest.arch().linux(), spec)) {
                rig.awaitAgent(guest, Guest.BOOT);
                guest.loggedIn();
                String imported = String.join("\n", guest.sh("journalctl -b -o cat -u captainos-preload"));
                assertTrue(imported.contains("\"msg\":\"image imported\""), imported);
                assertTrue(imported.contains(rig.image()), imported);
                String setup = String.join("\n", guest.sh("journalctl -b -o cat -u tink-agent-setup"));
                assertTrue(setup.contains("agent image already present; not pulling"), setup);
                assertFalse(setup.contains("pull failed"), setup);
                assertEquals(rig.image(), guest.sh1("ctr -n tinkerbell images ls -q | grep -Fx '" + rig.image() + "'"));
                assertEquals(
                        "0",
                        guest.sh1("ls /usr/share/captainos/preload | wc -l"),
                        "each archive is removed once imported: its RAM goes back to the machine");
            }
        }
    }
}
