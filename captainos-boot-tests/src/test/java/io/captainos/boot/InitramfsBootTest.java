package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.qemu.QemuMachine;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Boots the kernel and initramfs of this build in QEMU (TCG, user-mode network) and checks the OS that runs:
 * multi-user reached with no failed unit, the root a tmpfs, no initrd-release, containerd answering, the NIC with a
 * DHCP address. The console goes to {@code target/console-initramfs-<arch>.log}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InitramfsBootTest {
    private static Guest guest;

    @BeforeAll
    static void boot() throws Exception {
        QemuMachine.Spec spec = QemuMachine.Spec.kernel(
                Guest.arch(),
                Guest.artifact("vmlinuz"),
                Guest.artifact("initramfs"),
                "console=" + Guest.console(Guest.arch()) + " audit=0"
                        // A malformed static address must not stop the boot: DHCP stays in force.
                        + " ipam=52-54-00-12-34-56:bad",
                2048,
                Guest.CPUS);
        guest = Guest.boot("initramfs-" + Guest.arch().linux(), spec).loggedIn();
    }

    @AfterAll
    static void stop() {
        if (guest != null) {
            guest.close();
        }
    }

    @Test
    @Order(1)
    void reachesMultiUserWithNoFailedUnit() throws Exception {
        String state = guest.sh1("systemctl is-system-running --wait");
        List<String> failed = guest.sh("systemctl --failed --no-legend --plain --no-pager");
        assertEquals("running", state, "failed units: " + failed);
        assertEquals("multi-user.target", guest.sh1("systemctl get-default"));
    }

    @Test
    @Order(2)
    void theRootIsATmpfsThatContainersCanPivotFromAndNotAnInitrd() throws Exception {
        assertEquals("tmpfs", guest.sh1("stat -f -c %T /"));
        long rootKiB =
                Long.parseLong(guest.sh1("df -k --output=size / | tail -n 1").trim());
        long memKiB = Long.parseLong(guest.sh1("awk '/^MemTotal:/ { print $2 }' /proc/meminfo"));
        assertTrue(
                rootKiB >= memKiB * 85 / 100 && rootKiB <= memKiB * 95 / 100,
                "the root holds " + rootKiB + " KiB of " + memKiB + " KiB RAM, not 90%");
        // What runc does for every container: the kernel refuses it while the root is the initial rootfs.
        assertEquals(
                "pivoted",
                guest.sh1("unshare -m --propagation private sh -c 'mount -t tmpfs new /mnt"
                        + " && mkdir /mnt/old && cd /mnt && pivot_root . old && echo pivoted' 2>&1"));
        assertEquals("1", guest.sh1("test -e /etc/initrd-release"), "/etc/initrd-release must not exist");
        assertEquals("1", guest.sh1("test -e /init"), "/init is removed from the running root");
        assertEquals("captainos", guest.sh1(". /etc/os-release && echo $ID"));
    }

    @Test
    @Order(3)
    void containerdAnswers() throws Exception {
        assertEquals("active", guest.sh1("systemctl is-active containerd"));
        List<String> version = guest.sh("ctr --address /run/containerd/containerd.sock version");
        assertTrue(version.contains("Server:"), version.toString());
        assertEquals("0", version.get(version.size() - 1));
    }

    @Test
    @Order(4)
    void theNicHasADhcpAddressAndResolvConfIsReal() throws Exception {
        List<String> addr = guest.sh("ip -4 -o addr show scope global");
        assertTrue(
                addr.stream().anyMatch(l -> l.contains("inet 10.0.2.15/24") && l.contains("dynamic")), addr.toString());
        List<String> resolv = guest.sh("readlink /etc/resolv.conf; grep -c '^nameserver 10.0.2.3' /etc/resolv.conf");
        assertEquals("../run/systemd/resolve/resolv.conf", resolv.get(0));
        assertEquals("1", resolv.get(1), "containers see the real nameserver, not the stub");
    }

    @Test
    @Order(5)
    void aMalformedIpamIsLoggedAndDhcpStays() throws Exception {
        List<String> log = guest.sh("journalctl -b -u captainos-static-network -o cat --no-pager");
        assertTrue(
                log.stream()
                        .anyMatch(l -> l.contains("\"level\":\"error\"")
                                && l.contains("ignoring ipam=")
                                && l.contains("DHCP stays in force")),
                log.toString());
        assertEquals(
                "0",
                guest.sh("ls /run/systemd/network/ 2>/dev/null | grep -c captainos")
                        .get(0));
    }

    @Test
    @Order(6)
    void forwardingIsOnAndTheRootHasNoPassword() throws Exception {
        assertEquals("1", guest.sh1("cat /proc/sys/net/ipv4/ip_forward"));
        assertEquals("root:", guest.sh1("cut -d: -f1,2 /etc/shadow | grep '^root:'"));
    }
}
