package io.captainos.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StaticNetworkTest {
    @TempDir
    Path dir;

    private Path network() {
        return dir.resolve("root/run/systemd/network");
    }

    @Test
    void writesOneNetworkForTheMacWithoutAVlan() throws Exception {
        try (ScriptRun r = new ScriptRun(
                dir,
                "console=ttyS0 ipam=52-54-00-AB-cd-01::192.168.2.10:255.255.255.0:"
                        + "192.168.2.1:worker-1:1.1.1.1,8.8.8.8:lab.local,example.com:ntp1.lab.local,10.0.0.1 quiet")) {
            ScriptRun.Result res = r.run("static-network").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertEquals("""
                    [Match]
                    MACAddress=52:54:00:ab:cd:01
                    Type=ether

                    [Network]
                    DHCP=no
                    Address=192.168.2.10/24
                    Gateway=192.168.2.1
                    DNS=1.1.1.1 8.8.8.8
                    Domains=lab.local example.com
                    NTP=ntp1.lab.local 10.0.0.1
                    LLDP=yes
                    EmitLLDP=nearest-bridge
                    """, Files.readString(network().resolve("10-captainos-static.network")));
            assertEquals("worker-1\n", Files.readString(dir.resolve("root/etc/hostname")));
            try (var s = Files.list(network())) {
                assertEquals(1, s.count());
            }
        }
    }

    @Test
    void putsTheAddressOnTheVlanInterface() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "ipam=52-54-00-12-34-56:0100:10.1.0.5:16:10.1.0.1::::")) {
            assertEquals(0, r.run("static-network").exit());
            assertEquals(
                    "[NetDev]\nName=vlan100\nKind=vlan\n\n[VLAN]\nId=100\n",
                    Files.readString(network().resolve("10-captainos-vlan100.netdev")));
            String parent = Files.readString(network().resolve("10-captainos-static.network"));
            assertTrue(parent.contains("MACAddress=52:54:00:12:34:56") && parent.contains("VLAN=vlan100"), parent);
            assertFalse(parent.contains("\nAddress="), "the parent carries no address");
            assertTrue(parent.contains("\nLLDP=yes\nEmitLLDP=nearest-bridge\n"), "LLDP runs on the physical link");
            String vlan = Files.readString(network().resolve("10-captainos-vlan100.network"));
            assertTrue(
                    vlan.contains("Name=vlan100")
                            && vlan.contains("Address=10.1.0.5/16")
                            && vlan.contains("Gateway=10.1.0.1"),
                    vlan);
            assertFalse(vlan.contains("DNS="), "empty fields write nothing");
            assertFalse(vlan.contains("LLDP"), "not on the VLAN interface");
            assertFalse(Files.exists(dir.resolve("root/etc/hostname")));
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "ipam=bad | expected 9 colon-separated fields",
                "ipam=52-54-00-12-34-56::10.0.0.2:24 | expected 9 colon-separated fields",
                "ipam=52:54:00:12:34:56::10.0.0.2:24::::: | expected 9",
                "ipam=52-54-00-12-34::10.0.0.2:24::::: | MAC '52-54-00-12-34'",
                "ipam=52-54-00-12-34-56:5000:10.0.0.2:24::::: | VLAN id '5000'",
                "ipam=52-54-00-12-34-56:x:10.0.0.2:24::::: | VLAN id 'x'",
                "ipam=52-54-00-12-34-56::10.0.0.256:24::::: | IP address '10.0.0.256'",
                "ipam=52-54-00-12-34-56:::24::::: | the IP address is missing",
                "ipam=52-54-00-12-34-56::10.0.0.2:::::: | the netmask is missing",
                "ipam=52-54-00-12-34-56::10.0.0.2:255.0.255.0::::: | netmask '255.0.255.0'",
                "ipam=52-54-00-12-34-56::10.0.0.2:33::::: | netmask '33'",
                "ipam=52-54-00-12-34-56::10.0.0.2:24:gw:::: | gateway 'gw'",
                "ipam=52-54-00-12-34-56::10.0.0.2:24::-bad_host::: | hostname '-bad_host'",
                "ipam=52-54-00-12-34-56::10.0.0.2:24:::1.1.1.1,dns:: | DNS list '1.1.1.1,dns'",
            })
    void malformedValuesAreLoggedAndLeaveDhcpInForce(String cmdline, String reason) throws Exception {
        assertRefused(cmdline, reason, "DHCP stays in force");
    }

    /** The script logs why and what stays, writes nothing, and the boot goes on. */
    private void assertRefused(String cmdline, String reason, String fallback) throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "console=ttyS0 " + cmdline)) {
            ScriptRun.Result res = r.run("static-network").assertJsonLines();
            assertEquals(0, res.exit(), "the boot goes on: " + res.stderr());
            assertTrue(res.logged("error", reason), res.stdout().toString());
            assertTrue(res.logged("error", fallback), res.stdout().toString());
            assertFalse(
                    Files.exists(network()) && Files.list(network()).findAny().isPresent(), "nothing written");
        }
    }

    @Test
    void withoutIpamNothingIsWritten() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "console=ttyS0 ipam=")) {
            ScriptRun.Result res = r.run("static-network").assertJsonLines();
            assertEquals(0, res.exit());
            assertTrue(res.logged("info", "DHCP only"));
            assertFalse(Files.exists(network()));
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "vlan_id=0042 hw_addr=52:54:00:AB:CD:02 worker_id=52:54:00:00:00:09 | 42 | 52:54:00:ab:cd:02",
                "vlan_id=7 worker_id=52-54-00-ab-cd-03 | 7 | 52:54:00:ab:cd:03",
            })
    void vlanIdRunsDhcpOnTheVlanOfTheNamedNicWhichKeepsNoAddress(String cmdline, String vlan, String mac)
            throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "console=ttyS0 " + cmdline)) {
            ScriptRun.Result res = r.run("static-network").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(
                    res.logged("info", "DHCP on VLAN " + vlan + " of " + mac),
                    res.stdout().toString());
            assertEquals(
                    "[NetDev]\nName=vlan" + vlan + "\nKind=vlan\n\n[VLAN]\nId=" + vlan + "\n",
                    Files.readString(network().resolve("10-captainos-vlan" + vlan + ".netdev")));
            String parent = Files.readString(network().resolve("10-captainos-static.network"));
            assertTrue(parent.contains("MACAddress=" + mac + "\n") && parent.contains("VLAN=vlan" + vlan), parent);
            assertTrue(parent.contains("DHCP=no\nLinkLocalAddressing=no\n"), "the NIC keeps no address: " + parent);
            String net = Files.readString(network().resolve("10-captainos-vlan" + vlan + ".network"));
            assertTrue(net.startsWith("[Match]\nName=vlan" + vlan + "\nType=vlan\n\n[Network]\nDHCP=yes\n"), net);
            assertTrue(net.contains("[DHCPv4]\nUseDNS=yes\nUseNTP=yes\nUseHostname=yes\n"), net);
            assertFalse(Files.exists(dir.resolve("root/etc/hostname")), "the hostname comes from DHCP");
        }
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "vlan_id=4095 hw_addr=52:54:00:ab:cd:02 | not a number from 1 to 4094",
                "vlan_id=ten hw_addr=52:54:00:ab:cd:02 | not a number from 1 to 4094",
                "vlan_id=42 worker_id=machine-7 | give its MAC as hw_addr=",
                "vlan_id=42 hw_addr=52:54:00:ab:cd | give its MAC as hw_addr=",
            })
    void aVlanIdThatCannotBeUsedIsLoggedAndDhcpStaysUntagged(String cmdline, String reason) throws Exception {
        assertRefused(cmdline, reason, "DHCP stays untagged");
    }

    @Test
    void ipamWinsOverVlanId() throws Exception {
        try (ScriptRun r =
                new ScriptRun(dir, "vlan_id=9 ipam=52-54-00-12-34-56::10.0.0.2:24::::: worker_id=52:54:00:12:34:56")) {
            ScriptRun.Result res = r.run("static-network").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(res.logged("warn", "vlan_id= is ignored"), res.stdout().toString());
            try (var s = Files.list(network())) {
                assertEquals(
                        List.of("10-captainos-static.network"),
                        s.map(p -> p.getFileName().toString()).toList());
            }
        }
    }
}
