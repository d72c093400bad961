package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6 only: QEMU's user network without IPv4, where router advertisements give the guest a SLAAC address. The agent
 * registry and the tink server listen on the host's {@code ::1} only and the command line names them by IPv6 literals
 * ({@code [fec0::2]:port}), so the setup's pull and the agent's connection can only have come over IPv6.
 */
class Ipv6BootTest {
    @TempDir
    Path dir;

    @Test
    void onAnIpv6OnlyNetworkTheAgentImageAndTheServerAreReachedAtIpv6Literals() throws Exception {
        try (AgentRig rig = AgentRig.start(dir, false, List.of(), true)) {
            QemuMachine.Spec spec = new QemuMachine.Spec(
                    Guest.arch(),
                    Guest.artifact("vmlinuz"),
                    Guest.artifact("initramfs"),
                    KernelCommandLine.build(Guest.arch(), rig.keys(), "", ""),
                    null,
                    false,
                    2048,
                    Guest.CPUS,
                    List.of("-nic", "user,model=virtio-net-pci,ipv4=off,ipv6=on"));
            try (Guest guest = Guest.boot("ipv6-" + Guest.arch().linux(), spec)) {
                rig.awaitAgent(guest, Guest.BOOT);
                guest.loggedIn();
                // SLAAC from QEMU's router advertisements: fec0::/64 is site-local.
                String addresses = String.join("\n", guest.sh("ip -6 -o addr show scope site"));
                assertTrue(addresses.contains("inet6 fec0::") && addresses.contains("dynamic"), addresses);
                assertNotNull(
                        guest.machine.expect(
                                Pattern.compile("address +[a-z0-9]+ fec0::[0-9a-f:]+/64"), 0, Guest.COMMAND),
                        "the banner shows the IPv6 address");
                assertTrue(
                        guest.sh("ip -4 -o addr show scope global").size() == 1,
                        "no IPv4 address on an IPv6-only network");
                guest.keepBootAnalysis();
                String log = rig.registry.log();
                assertTrue(log.contains("/v2/tinkerbell/tink-agent/manifests/v1"), "pulled from [::1]: " + log);
            }
        }
    }
}
