package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Static addressing from {@code ipam=} for the NIC's MAC, with and without a VLAN; and an agent image on a registry
 * that does not answer, which the setup keeps retrying while the rest of the OS stays up.
 */
class StaticNetworkBootTest {
    private static final String MAC = "52:54:00:c0:ff:ee";

    private static QemuMachine.Spec spec(Map<String, String> keys) {
        return new QemuMachine.Spec(
                Guest.arch(),
                Guest.artifact("vmlinuz"),
                Guest.artifact("initramfs"),
                KernelCommandLine.build(Guest.arch(), keys, "", ""),
                null,
                false,
                2048,
                Guest.CPUS,
                List.of("-nic", "user,model=virtio-net-pci,mac=" + MAC));
    }

    @Test
    void staticAddressGatewayHostnameAndDnsAndARegistryThatIsDown() throws Exception {
        int closed = Registry.freePort();
        Map<String, String> keys = Map.of(
                "ipam", MAC.replace(':', '-') + "::10.0.2.50:255.255.255.0:10.0.2.2:worker-7:10.0.2.3:lab.example:",
                "tink_worker_image", "10.0.2.2:" + closed + "/tinkerbell/tink-agent:v1",
                "insecure_registries", "10.0.2.2:" + closed);
        try (Guest guest =
                Guest.boot("static-" + Guest.arch().linux(), spec(keys)).loggedIn()) {
            // The login does not wait for the network; networkd configures the address when it gets to it.
            guest.sh("timeout 60 sh -c 'until ip -4 -o addr show scope global | grep -q 10.0.2.50; do sleep 1; done'");
            List<String> addr = guest.sh("ip -4 -o addr show scope global");
            assertTrue(
                    addr.stream().anyMatch(l -> l.contains("inet 10.0.2.50/24") && !l.contains("dynamic")),
                    "static, not DHCP: " + addr);
            assertEquals("default via 10.0.2.2", guest.sh1("ip -4 route show default | cut -d' ' -f1-3"));
            assertEquals("worker-7", guest.sh1("hostname"));
            assertTrue(guest.sh("resolvectl dns").stream().anyMatch(l -> l.contains("10.0.2.3")));
            assertTrue(guest.sh("resolvectl domain").stream().anyMatch(l -> l.contains("lab.example")));
            // The registry never answers: the setup logs each failed pull with a growing wait and keeps going.
            guest.machine.expect(Pattern.compile("\"msg\":\"pull failed\".*\"attempt\":\"3\""), 0, Guest.BOOT);
            List<String> waits = guest.sh("journalctl -b -u tink-agent-setup -o cat --no-pager | grep 'pull failed'"
                    + " | grep -o '\"retry_in_s\":\"[0-9]*\"' | head -3");
            assertEquals(List.of("\"retry_in_s\":\"2\"", "\"retry_in_s\":\"4\"", "\"retry_in_s\":\"8\"", "0"), waits);
            assertEquals("activating", guest.sh1("systemctl show -p ActiveState --value tink-agent-setup"));
            assertEquals("active", guest.sh1("systemctl is-active containerd systemd-networkd | sort -u"));
            assertEquals("1", guest.sh1("test -e /tink-agent"), "no agent without an image");
        }
    }

    @Test
    void theAddressGoesOnTheVlanInterface() throws Exception {
        Map<String, String> keys = Map.of("ipam", MAC.replace(':', '-') + ":42:192.168.42.9:24:192.168.42.1::::");
        try (Guest guest =
                Guest.boot("vlan-" + Guest.arch().linux(), spec(keys)).loggedIn()) {
            guest.sh("timeout 60 sh -c 'until ip -4 -o addr show dev vlan42 | grep -q 192.168.42.9; do sleep 1; done'");
            List<String> vlan = guest.sh("ip -d -o link show vlan42");
            assertTrue(vlan.get(0).contains("vlan protocol 802.1Q id 42"), vlan.toString());
            assertTrue(guest.sh1("ip -4 -o addr show dev vlan42").contains("inet 192.168.42.9/24"));
            String parent = guest.sh1("ip -o link show vlan42 | grep -o 'vlan42@[a-z0-9]*' | cut -d@ -f2");
            assertEquals(
                    "0",
                    guest.sh("ip -4 -o addr show dev " + parent + " | grep -c inet")
                            .get(0),
                    "the parent NIC carries no address");
        }
    }
}
